from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from thidua.accounts.models import User

# The admin site bypasses the union-tree scope, so only system administrators
# (is_staff + is_superuser) use it; officers work in the application itself.
admin.site.site_header = "Thi Đua"


@admin.register(User)
class ThiDuaUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Thi Đua", {"fields": ("full_name",)}))
    list_display = ["username", "full_name", "email", "is_active", "is_superuser", "last_login"]
