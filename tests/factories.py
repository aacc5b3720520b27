from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from programme.models import (
    JobRole,
    Membership,
    Organisation,
    Participant,
    Role,
    Team,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted is False:
            self.set_unusable_password()
        else:
            self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    industry_segment = "Manufacturing"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.SELLER
    joined_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    membership = factory.SubFactory(MembershipFactory)
    organisation = factory.SelfAttribute("membership.organisation")
    job_role = JobRole.SELLER


def member(
    organisation: Organisation, role: str = Role.SELLER, **participant: object
) -> Membership:
    """A joined member of `organisation` with a participant profile."""
    membership = MembershipFactory(organisation=organisation, role=role)
    ParticipantFactory(membership=membership, **participant)
    return membership
