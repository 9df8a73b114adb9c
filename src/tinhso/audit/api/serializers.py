from __future__ import annotations

from rest_framework import serializers

from tinhso.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor_username = serializers.CharField(source="actor_label", read_only=True)
    actor_name = serializers.SerializerMethodField()
    agency_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor_id",
            "actor_username",
            "actor_name",
            "agency_id",
            "agency_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "ip_address",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_actor_name(self, event: AuditEvent) -> str:
        return event.actor.get_full_name() if event.actor is not None else ""

    def get_agency_name(self, event: AuditEvent) -> str:
        return event.agency.name if event.agency is not None else ""
