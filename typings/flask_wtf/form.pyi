from collections.abc import Mapping, Sequence
from typing import Any, overload

from markupsafe import Markup
from wtforms import Field, Form
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta, _MultiDictLike, _MultiDictLikeWithGetlist

class FlaskForm(Form):
    class Meta(DefaultMeta):
        @overload
        def wrap_formdata(self, form: BaseForm, formdata: None) -> None: ...
        @overload
        def wrap_formdata(
            self, form: BaseForm, formdata: _MultiDictLike
        ) -> _MultiDictLikeWithGetlist: ...
        # Flask-WTF's sentinel for "no formdata given": then it reads the request, if any.
        @overload
        def wrap_formdata(
            self, form: BaseForm, formdata: object
        ) -> _MultiDictLikeWithGetlist | None: ...

    def __init__(self, formdata: _MultiDictLike | None = ..., **kwargs: Any) -> None: ...
    def is_submitted(self) -> bool: ...
    def validate_on_submit(
        self, extra_validators: Mapping[str, Sequence[Any]] | None = None
    ) -> bool: ...
    def hidden_tag(self, *fields: Field | str) -> Markup: ...
