from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from programme.models import (
    AuditEntry,
    Membership,
    Organisation,
    Participant,
    RosterImport,
    Team,
    User,
)


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "invitation_sent_at", "joined_at"]
    list_filter = ["role", "organisation"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]
    list_select_related = ["user", "organisation"]


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
