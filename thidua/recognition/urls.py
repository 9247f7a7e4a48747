from django.urls import include, path

from thidua.recognition import views

app_name = "recognition"

urlpatterns = [
    path("", views.award_list, name="awards"),
    path("catalogue/", views.catalogue, name="catalogue"),
    # Nomination dossiers, their board and bulk nomination (views_nominations.py).
    path("nominations/", include("thidua.recognition.urls_nominations")),
    # Councils, sessions, the secret e-ballot and the minutes (views_council.py).
    path("council/", include("thidua.recognition.urls_council")),
    # Decisions, their annex, certificates and the print layouts (views_decisions.py).
    path("decisions/", include("thidua.recognition.urls_decisions")),
    # Statistics of proposed and decided awards (views_statistics.py).
    path("statistics/", include("thidua.recognition.urls_statistics")),
]
