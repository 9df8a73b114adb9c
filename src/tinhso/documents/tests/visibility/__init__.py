"""Who sees which document, and its files (`tinhso.documents.access`).

Not named `tests/access`: that module name is the app's entry in the endpoint access matrix
(`tinhso.testing.access_matrix.collect_endpoints`), which must then list every route.
"""
