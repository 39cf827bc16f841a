"""Formsets whose rows may not repeat a value, told in plain words."""

from django import forms


class NoRepeatFormSet(forms.BaseInlineFormSet):
    """An inline formset whose rows may not repeat ``unique_field``: a repeated value is marked
    on its own row with ``repeated_message`` instead of Django's "Please correct the duplicate
    data for <field name>" above the table. The database's unique constraint still decides."""

    unique_field: str
    repeated_message: str

    def clean(self):
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            value = form.cleaned_data.get(self.unique_field)
            if value is not None and value in seen:
                form.add_error(self.unique_field, self.repeated_message)
            seen.add(value)
