"""Documents in every state for the access matrix (`tinhso.documents.tests.access`)."""
