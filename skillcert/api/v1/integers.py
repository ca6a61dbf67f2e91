"""Integer parameter types bounded to what the database can hold.

SQLite's INTEGER and PostgreSQL's bigint are signed 64-bit, and every primary key here is a BigAutoField.
A larger number sent by a client fails inside the query (``OverflowError`` on SQLite, "datatype
mismatch" for an OFFSET) and would answer 500. Django guards only the lookups of an integer column itself:
since 5.0 ``pk=2**63`` compiles to "no rows", which is why such a path id used to answer 404. A lookup
across a foreign key (``application__plan_id=``) or a slice's OFFSET has no such guard. So every integer
the API takes that reaches a query is one of these types, and out of range it answers the usual 422 naming
the field, alike in the path, the query string and the body.
"""

from typing import Annotated

from pydantic import Field

# The largest signed 64-bit integer: the largest id either database can store, and the largest OFFSET.
DATABASE_INTEGER_MAX = 2**63 - 1

# An object's id as a client sends it. Ids start at 1.
DatabaseId = Annotated[int, Field(ge=1, le=DATABASE_INTEGER_MAX)]

# How many rows a list skips (SQL OFFSET).
RowOffset = Annotated[int, Field(ge=0, le=DATABASE_INTEGER_MAX)]

# A page number of a paginated list. Django's paginator answers its last page for any page past the end,
# so this bound guards no query today; it keeps every number a client sends bounded the same way.
PageNumber = Annotated[int, Field(ge=1, le=DATABASE_INTEGER_MAX)]
