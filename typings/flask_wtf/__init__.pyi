# Type stubs for the part of Flask-WTF 1.x the portal uses: Flask-WTF ships neither
# annotations nor a py.typed marker, and no stub package for it exists.
from .csrf import CSRFProtect as CSRFProtect
from .form import FlaskForm as FlaskForm
