from rest_framework.renderers import JSONRenderer


class ProblemJSONRenderer(JSONRenderer):
    media_type = "application/problem+json"
