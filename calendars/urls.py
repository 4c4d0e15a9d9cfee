from django.urls import path

from calendars import views

urlpatterns = [
    path("circles/<int:pk>/calendar.ics", views.circle_calendar, name="circle_calendar"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
