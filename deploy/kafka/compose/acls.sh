#!/bin/sh
set -e
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:intake --producer --consumer --topic intake. --group intake --resource-pattern-type prefixed
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:tracking --producer --consumer --topic tracking. --group tracking --resource-pattern-type prefixed
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:scoring --producer --consumer --topic scoring. --group scoring --resource-pattern-type prefixed
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:notify --producer --consumer --topic notify. --group notify --resource-pattern-type prefixed
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:portal --producer --consumer --topic portal. --group portal --resource-pattern-type prefixed
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:intake --allow-principal User:tracking --allow-principal User:scoring --allow-principal User:notify --allow-principal User:portal --operation Read --operation Describe --topic '*'
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --deny-principal User:scoring --operation Read --topic intake.applicants.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:counter --operation Write --operation Describe --topic intake.commands.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:operator --operation All --topic '*' --group '*' --cluster
