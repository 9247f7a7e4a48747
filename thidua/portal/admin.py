from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thidua.portal.models import Article, Category, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "category", "unit", "status", "publish_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    raw_id_fields = ["unit", "plan"]
    readonly_fields = ["cover", "cover_small"]
