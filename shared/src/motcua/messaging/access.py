"""Who may do what on the broker: the principals and their ACLs, in one place.

Each service signs in as its own SCRAM principal, named after it. The broker's ACLs
(checked by Kafka's `StandardAuthorizer`, nothing allowed without a matching ACL):

- a service writes only its own topics (`<service>.*`: its events, its dead letters) and
  uses only its own consumer groups (`<service>*`);
- every service reads every topic (each consumes the others' events), except a topic that
  names its readers (`TopicSpec.readers`): the others are denied reading it, and a deny
  wins over any allow (the applicants' personal data: docs/privacy.md);
- `counter`, the counter software and portals that send commands, writes only
  `intake.commands.v1`;
- `operator`, for people and tools (the DLQ redrive, the tests, the demo), may do
  anything on topics and groups and create topics.

The local stack applies these with Kafka's own ACL tool (`AclCommand`) when it formats
the broker; deployments run the same commands from the topics job.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.events.topics import INTAKE_COMMANDS, SERVICES, all_topics

__all__ = ["COUNTER", "OPERATOR", "PRINCIPALS", "Grant", "grants"]

OPERATOR = "operator"
COUNTER = "counter"
PRINCIPALS = (*SERVICES, OPERATOR, COUNTER)


@dataclass(frozen=True, slots=True)
class Grant:
    """One `kafka-acls --add` command: operations of some principals on some resources."""

    principals: tuple[str, ...]
    operations: tuple[str, ...] = ()
    topic: str | None = None
    group: str | None = None
    cluster: bool = False
    prefixed: bool = False
    producer_and_consumer: bool = False
    """`--producer --consumer`: write, create, read and describe the topic, read the group."""
    deny: bool = False
    """Deny the operations instead of allowing them: a deny wins over every allow."""

    def arguments(self) -> list[str]:
        """The arguments of `kafka-acls` after `--bootstrap-server` and `--command-config`."""
        arguments = ["--add"]
        for principal in self.principals:
            kind = "--deny-principal" if self.deny else "--allow-principal"
            arguments += [kind, f"User:{principal}"]
        if self.producer_and_consumer:
            arguments += ["--producer", "--consumer"]
        for operation in self.operations:
            arguments += ["--operation", operation]
        if self.topic is not None:
            arguments += ["--topic", self.topic]
        if self.group is not None:
            arguments += ["--group", self.group]
        if self.cluster:
            arguments.append("--cluster")
        if self.prefixed:
            arguments += ["--resource-pattern-type", "prefixed"]
        return arguments


def grants() -> list[Grant]:
    """Every ACL of the system."""
    own = [
        Grant(
            (service,),
            topic=f"{service}.",
            group=service,
            prefixed=True,
            producer_and_consumer=True,
        )
        for service in SERVICES
    ]
    unread = [
        Grant(denied, ("Read",), topic=topic.name, deny=True)
        for topic in all_topics()
        if topic.readers is not None
        and (denied := tuple(s for s in SERVICES if s not in (topic.owner, *topic.readers)))
    ]
    return [
        *own,
        Grant(SERVICES, ("Read", "Describe"), topic="*"),
        *unread,
        Grant((COUNTER,), ("Write", "Describe"), topic=INTAKE_COMMANDS.name),
        Grant((OPERATOR,), ("All",), topic="*", group="*", cluster=True),
    ]
