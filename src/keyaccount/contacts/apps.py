from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "keyaccount.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from keyaccount.customers.tabs import CustomerTab, register

        from .views import customer_tab

        register(
            CustomerTab("contacts", _("Contacts"), 20, "contacts/customer_tab.html", customer_tab)
        )
