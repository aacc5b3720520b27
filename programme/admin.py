from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from programme.models import (
    AuditAction,
    AuditEntry,
    Membership,
    Organisation,
    Participant,
    RosterImport,
    Team,
    User,
)
from programme.services.audit import audit_record


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


def _role_change_record(request, membership: Membership, before: str | None) -> None:
    """A role changed in the Django admin goes to the organisation's audit log (#18), by the
    platform's staff member (no membership of theirs is involved)."""
    if before is not None and before != membership.role:
        audit_record(
            organisation=membership.organisation_id, action=AuditAction.ROLE_CHANGED,
            actor_label=request.user.email, target=membership,
            details={"from": before, "to": membership.role, "source": "admin site"},
        )  # fmt: skip


def _role_before(membership: Membership) -> str | None:
    if membership.pk is None:
        return None
    return Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "invitation_sent_at", "joined_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "industry_segment", "archived_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = [
            (each.instance, each.initial.get("role"))
            for each in formset.forms
            if each.instance.pk and "role" in each.changed_data
        ]
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for membership, before in changed:
                _role_change_record(request, membership, before)
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "invitation_sent_at", "joined_at"]
    list_filter = ["role", "organisation"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]
    list_select_related = ["user", "organisation"]

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            before = _role_before(obj)
            super().save_model(request, obj, form, change)
            _role_change_record(request, obj, before)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "parent"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "parent"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["membership", "job_role", "team", "is_ambassador"]
    list_filter = ["organisation", "job_role", "is_ambassador"]
    raw_id_fields = ["membership", "team"]
    list_select_related = ["membership__user", "membership__organisation", "team"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "organisation", "status", "total_rows", "created_at"]
    list_filter = ["status"]
    exclude = ["rows"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only (#18): the log is only ever added to, by the services that make the changes."""

    list_display = ["at", "organisation", "action", "actor_label", "target_label"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label"]
    readonly_fields = [
        "organisation", "at", "action", "actor", "actor_label", "target", "target_label", "details"
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
