from ninja import NinjaAPI

api = NinjaAPI(title="skillcert API", version="1", urls_namespace="api-v1")
