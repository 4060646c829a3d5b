"""Date formats per language (FORMAT_MODULE_PATH): one for dates and one for date and time,
whether a template asks for the long or the short form, so a list and a request page never
show the same day two ways. Everything not set here is Django's for the language."""
