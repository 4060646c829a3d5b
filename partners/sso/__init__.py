"""Single sign-on: allauth's OpenID Connect provider, fitted to Microsoft Entra ID."""
