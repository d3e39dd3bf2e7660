"""The WSGI app Zappa serves (`app_function: portal.wsgi.app`)."""

from portal import create_app

app = create_app()
