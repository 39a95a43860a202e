#!/bin/bash
# The docker-compose broker (apache/kafka image) with the local stack's security: every
# client signs in with SCRAM-SHA-512 (one principal per service, users written when the
# storage is formatted, passwords from deploy/k8s/overlays/dev/secrets/kafka.env) and
# nothing is allowed without an ACL (the kafka-acls service adds them). The broker is
# its own super user as $KAFKA_ADMIN_USERNAME; its controller listener takes PLAIN.
set -euo pipefail
config=/tmp/server.properties
data=/var/lib/kafka/data
jaas="org.apache.kafka.common.security"
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:9094
advertised.listeners=SASL_PLAINTEXT://kafka:9092,HOST://localhost:9094
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$jaas.scram.ScramLoginModule required username="$KAFKA_ADMIN_USERNAME" password="$KAFKA_ADMIN_PASSWORD";
listener.name.host.scram-sha-512.sasl.jaas.config=$jaas.scram.ScramLoginModule required;
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=$jaas.plain.PlainLoginModule required username="controller" password="$KAFKA_ADMIN_PASSWORD" user_controller="$KAFKA_ADMIN_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:$KAFKA_ADMIN_USERNAME;User:controller
log.dirs=$data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
# What the health check and the kafka-acls service sign in with.
cat >/tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$jaas.scram.ScramLoginModule required username="$KAFKA_ADMIN_USERNAME" password="$KAFKA_ADMIN_PASSWORD";
PROPERTIES
if [ ! -f "$data/meta.properties" ]; then
    users=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USERNAME,password=$KAFKA_ADMIN_PASSWORD]")
    for service in intake tracking scoring notify portal; do
        variable="${service^^}_KAFKA__SASL_PASSWORD"
        users+=(--add-scram "SCRAM-SHA-512=[name=$service,password=${!variable}]")
    done
    /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" \
        -c "$config" --ignore-formatted "${users[@]}"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
