from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "Platform admin"
    STAFF = "staff", "Agency staff"
    CLIENT = "client", "Client user"


AGENCY_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.STAFF})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("role", Role.PLATFORM_ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(default=True)
    # SEC-5: set on generated/default passwords; nothing but the change page is reachable until cleared.
    must_change_password = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:  # Django's flag, kept for third-party code; we never mount django.contrib.admin
        return self.role in AGENCY_ROLES

    @property
    def is_agency(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN


class Membership(models.Model):
    class MemberRole(models.TextChoices):
        OWNER = "owner", "Owner"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.client_id} ({self.role})"
