from django.http import HttpRequest

from accounts.roles import Permission, can


def roles(request: HttpRequest) -> dict[str, object]:
    """What the navigation may offer the signed-in user."""
    user = request.user
    return {
        "nav": {permission.value: can(user, permission) for permission in Permission}
        if user.is_authenticated
        else {},
    }
