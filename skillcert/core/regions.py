"""Region scope arithmetic on GB/T 2260 codes, Django-free.

A municipal or provincial scope (``310000``) covers every code of its province, a prefecture (``320500``)
its counties, and a county or district (``310115``) only itself.
"""


def scope_prefix(scope_code: str) -> str:
    if scope_code.endswith("0000"):
        return scope_code[:2]
    if scope_code.endswith("00"):
        return scope_code[:4]
    return scope_code


def region_covers(scope_code: str, region_code: str) -> bool:
    return region_code.startswith(scope_prefix(scope_code))
