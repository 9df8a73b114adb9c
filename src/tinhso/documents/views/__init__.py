"""The e-office screens (issue 4 §5) under `/van-ban/`, in the `documents` namespace.

Thin: parse the form (`forms_ui`), read through `selectors`/`access`, call the service, render.
Every rule (who may act, which transition, numbers, duplicates, secrecy) is in `services` and
`access`; a refused action is shown on the page with its reason (HTTP 409 or 403), bad input
next to its field.

- `incoming`: the clerk's registration form and queues, the leader's assignment, the inbox;
- `outgoing`: drafting, the drafter's list, the approval queue;
- `detail`: the document page and the actions posted from it and from the queues;
- `lists`: the incoming and outgoing lists with filters, and the search page.
"""
