"""Four small subgraphs that use the federation features pdnet's own services do not: a
composite key, `@requires`, `@provides`, an interface and a union whose types live in several
subgraphs, an `@interfaceObject`, `@shareable`, `@override` and `@inaccessible`.

catalogue  kits and booklets (the `Material` interface, the `SearchResult` union)
stores     kit stock (taken over from catalogue), shipping cost (requires the weight),
           one kit by id (a root field catalogue shares),
           booklet pages, loans keyed by (centreCode, number), numbered reservations
reviews    reviews of kits, their author's name provided; loans' return dates; drafts
people     teachers, keyed by id and by login; recommended materials and who recommends
           them (`Material` as an `@interfaceObject`)
certificates  teachers' certificates, keyed by login only (reached through people)
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

KITS: dict[str, dict[str, Any]] = {
    "k1": {"name": "micro:bit class set", "weight": 1200, "code": "MB-1", "stock": 3},
    "k2": {"name": "Pendulum lab", "weight": 5400, "code": "PL-2", "stock": 0},
    "k3": {"name": "Soil testing box", "weight": 800, "code": "ST-3", "stock": 7},
}
# Retired kits are still in the catalogue; the stores no longer know them.
RETIRED: dict[str, dict[str, Any]] = {
    "k9": {"name": "Overhead projector set", "weight": 9000, "code": "OP-9", "stock": 0},
}
BOOKLETS: dict[str, dict[str, Any]] = {
    "b1": {"title": "Inquiry in the classroom", "pages": 48},
    "b2": {"title": "Teaching with data", "pages": 112},
}
TEACHERS: dict[str, dict[str, Any]] = {
    "t1": {
        "name": "Aino Virtanen",
        "school": "Kallio upper school",
        "email": "aino@example.org",
        "login": "avirtanen",
        "certificates": ["Inquiry-based physics", "Data literacy"],
    },
    "t2": {
        "name": "Luca Bianchi",
        "school": "Liceo Galilei",
        "email": "luca@example.org",
        "login": "lbianchi",
        "certificates": [],
    },
}
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "kit": "k1", "author": "t1", "body": "Pupils loved it", "rating": 5},
    {"id": "r2", "kit": "k1", "author": "t2", "body": "Batteries were flat", "rating": 3},
    {"id": "r3", "kit": "k3", "author": "t1", "body": "Clear instructions", "rating": 4},
]
LOANS: list[dict[str, Any]] = [
    {"centre": "FI-LUMA", "number": 1, "kit": "k1", "borrower": "t1", "returned": "2027-03-08"},
    {"centre": "IT-ANISN", "number": 1, "kit": "k2", "borrower": "t2", "returned": None},
]


# catalogue


@strawberry.federation.interface(keys=["id"])
class Material:
    id: strawberry.ID
    title: str

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Material:
        material_id = representation["id"]
        return MaterialKit.of(material_id) if material_id in KITS else Booklet.of(material_id)


@strawberry.federation.type(keys=["id"])
class CatalogueKit:
    id: strawberry.ID
    name: str = strawberry.federation.field(shareable=True)
    weight_grams: int
    internal_code: str = strawberry.federation.field(inaccessible=True)
    stock: int

    @classmethod
    def of(cls, kit_id: str) -> CatalogueKit:
        kit = KITS.get(kit_id) or RETIRED[kit_id]
        return cls(
            id=strawberry.ID(kit_id),
            name=kit["name"],
            weight_grams=kit["weight"],
            internal_code=kit["code"],
            stock=-1,  # stale: stores owns the stock now
        )

    @classmethod
    def resolve_reference(cls, **representation: Any) -> CatalogueKit:
        return cls.of(representation["id"])


@strawberry.federation.type(keys=["id"])
class Booklet(Material):
    id: strawberry.ID
    title: str

    @classmethod
    def of(cls, booklet_id: str) -> Booklet:
        return cls(id=strawberry.ID(booklet_id), title=BOOKLETS[booklet_id]["title"])

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Booklet:
        return cls.of(representation["id"])


@strawberry.federation.type(keys=["id"], name="Kit")
class MaterialKit(CatalogueKit, Material):
    title: str = strawberry.federation.field(shareable=True)

    @classmethod
    def of(cls, kit_id: str) -> MaterialKit:
        base = CatalogueKit.of(kit_id)
        return cls(**{**vars(base), "title": base.name})

    @classmethod
    def resolve_reference(cls, **representation: Any) -> MaterialKit:
        return cls.of(representation["id"])


SearchResult = Annotated[MaterialKit | Booklet, strawberry.union("SearchResult")]


@strawberry.type
class CatalogueQuery:
    @strawberry.field
    def kits(self) -> list[MaterialKit]:
        return [MaterialKit.of(kit_id) for kit_id in KITS]

    @strawberry.field
    def retired_kits(self) -> list[MaterialKit | None]:
        return [MaterialKit.of(kit_id) for kit_id in RETIRED]

    @strawberry.federation.field(shareable=True)
    def kit(self, id: strawberry.ID) -> MaterialKit | None:
        return MaterialKit.of(id) if id in KITS else None

    @strawberry.field
    def materials(self) -> list[Material]:
        found: list[Material] = [Booklet.of(b) for b in BOOKLETS]
        found.extend(MaterialKit.of(k) for k in KITS)
        return found

    @strawberry.field
    def search(self, term: str) -> list[SearchResult]:
        term = term.lower()
        found: list[MaterialKit | Booklet] = [
            MaterialKit.of(k) for k, v in KITS.items() if term in v["name"].lower()
        ]
        found.extend(Booklet.of(b) for b, v in BOOKLETS.items() if term in v["title"].lower())
        return found


catalogue = Schema(query=CatalogueQuery, types=[MaterialKit, Booklet])


# stores


@strawberry.federation.type(keys=["id"], name="Kit")
class StoresKit:
    id: strawberry.ID
    weight_grams: int = strawberry.federation.field(external=True, default=0)
    name: str = strawberry.federation.field(shareable=True, default="")
    stock: int = strawberry.federation.field(override="catalogue", default=0)

    @strawberry.federation.field(requires=["weightGrams"])
    def shipping_cost(self) -> int:
        # Cents: a base fee and one cent per 10 g.
        assert self.weight_grams, "weightGrams must come with the representation"
        return 500 + self.weight_grams // 10

    @classmethod
    def resolve_reference(cls, **representation: Any) -> StoresKit | None:
        kit = KITS.get(representation["id"])
        if kit is None:
            return None
        return cls(
            id=representation["id"],
            weight_grams=representation.get("weightGrams", 0),
            name=kit["name"],
            stock=kit["stock"],
        )


@strawberry.federation.type(keys=["id"], name="Booklet")
class StoresBooklet:
    id: strawberry.ID
    pages: int

    @classmethod
    def resolve_reference(cls, **representation: Any) -> StoresBooklet:
        return cls(id=representation["id"], pages=BOOKLETS[representation["id"]]["pages"])


@strawberry.federation.type(keys=["id"], name="Teacher")
class TeacherStub:
    id: strawberry.ID


@strawberry.federation.type(keys=["centreCode number"], name="Loan")
class StoresLoan:
    centre_code: str
    number: int
    kit: StoresKit
    borrower: TeacherStub

    @classmethod
    def of(cls, loan: dict[str, Any]) -> StoresLoan:
        kit = StoresKit.resolve_reference(id=loan["kit"])
        assert kit is not None, f"no kit {loan['kit']}"
        return cls(
            centre_code=loan["centre"],
            number=loan["number"],
            kit=kit,
            borrower=TeacherStub(id=loan["borrower"]),
        )


@strawberry.type
class StoresQuery:
    @strawberry.field
    def loans(self) -> list[StoresLoan]:
        return [StoresLoan.of(loan) for loan in LOANS]

    @strawberry.federation.field(shareable=True)
    def kit(self, id: strawberry.ID) -> StoresKit | None:
        return StoresKit.resolve_reference(id=id)


RESERVATIONS: list[str] = []


@strawberry.type
class Reservation:
    number: int
    kit: StoresKit


@strawberry.type
class StoresMutation:
    @strawberry.mutation
    def reserve_kit(self, kit_id: strawberry.ID) -> Reservation:
        """Numbered in arrival order, so a client can see the order mutations ran in."""
        RESERVATIONS.append(kit_id)
        kit = StoresKit.resolve_reference(id=kit_id)
        assert kit is not None, f"no kit {kit_id}"
        return Reservation(number=len(RESERVATIONS), kit=kit)


stores = Schema(
    query=StoresQuery, mutation=StoresMutation, types=[StoresKit, StoresBooklet, StoresLoan]
)


# reviews


@strawberry.federation.type(keys=["id"], name="Teacher")
class ReviewAuthor:
    id: strawberry.ID
    name: str = strawberry.federation.field(external=True, default="")


@strawberry.type
class Review:
    id: strawberry.ID
    body: str
    rating: int
    author: ReviewAuthor = strawberry.federation.field(provides=["name"])


def _review(review: dict[str, Any]) -> Review:
    author = review["author"]
    return Review(
        id=review["id"],
        body=review["body"],
        rating=review["rating"],
        author=ReviewAuthor(id=author, name=TEACHERS[author]["name"]),
    )


@strawberry.federation.type(keys=["id"], name="Kit")
class ReviewedKit:
    id: strawberry.ID

    @strawberry.field
    def reviews(self) -> list[Review] | None:
        return [_review(r) for r in REVIEWS if r["kit"] == self.id]

    @classmethod
    def resolve_reference(cls, **representation: Any) -> ReviewedKit:
        return cls(id=representation["id"])


@strawberry.federation.type(keys=["centreCode number"], name="Loan")
class ReturnedLoan:
    centre_code: str
    number: int

    @strawberry.field
    def returned_on(self) -> str | None:
        for loan in LOANS:
            if (loan["centre"], loan["number"]) == (self.centre_code, self.number):
                return str(loan["returned"]) if loan["returned"] else None
        return None

    @classmethod
    def resolve_reference(cls, **representation: Any) -> ReturnedLoan:
        return cls(centre_code=representation["centreCode"], number=representation["number"])


@strawberry.type
class ReviewsQuery:
    @strawberry.field
    def latest_reviews(self) -> list[Review]:
        return [_review(r) for r in reversed(REVIEWS)]


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation
    def draft_review(self, kit_id: strawberry.ID, body: str, rating: int) -> Review:
        """A review as it would be published; drafts are not kept."""
        draft = {"id": f"draft-{kit_id}", "kit": kit_id, "author": "t1", "body": body}
        return _review(draft | {"rating": rating})


reviews = Schema(
    query=ReviewsQuery,
    mutation=ReviewsMutation,
    types=[ReviewedKit, ReturnedLoan, ReviewAuthor],
)


# people


@strawberry.federation.type(keys=["id", "login"])
class Teacher:
    id: strawberry.ID
    login: str
    name: str = strawberry.federation.field(shareable=True)
    school: str
    email: str = strawberry.federation.field(inaccessible=True)

    @classmethod
    def of(cls, teacher_id: str) -> Teacher:
        teacher = TEACHERS[teacher_id]
        return cls(
            id=strawberry.ID(teacher_id),
            login=teacher["login"],
            name=teacher["name"],
            school=teacher["school"],
            email=teacher["email"],
        )

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Teacher:
        if "id" in representation:
            return cls.of(representation["id"])
        [found] = [t for t, v in TEACHERS.items() if v["login"] == representation["login"]]
        return cls.of(found)


RECOMMENDATIONS: dict[str, list[str]] = {"k1": ["t1"], "b2": ["t1", "t2"]}


@strawberry.federation.interface_object(keys=["id"], name="Material")
class RecommendedMaterial:
    """People know kits and booklets only as materials."""

    id: strawberry.ID

    @strawberry.field
    def recommended_by(self) -> list[Teacher]:
        return [Teacher.of(t) for t in RECOMMENDATIONS.get(self.id, [])]

    @classmethod
    def resolve_reference(cls, **representation: Any) -> RecommendedMaterial:
        return cls(id=representation["id"])


@strawberry.type
class PeopleQuery:
    @strawberry.field
    def teacher(self, id: strawberry.ID) -> Teacher | None:
        return Teacher.of(id) if id in TEACHERS else None

    @strawberry.field
    def recommended(self) -> list[RecommendedMaterial]:
        return [RecommendedMaterial(id=strawberry.ID(m)) for m in RECOMMENDATIONS]


people = Schema(query=PeopleQuery, types=[Teacher, RecommendedMaterial])


# certificates: knows teachers only by their login


@strawberry.federation.type(keys=["login"], name="Teacher")
class CertifiedTeacher:
    login: str

    @strawberry.field
    def certificates(self) -> list[str]:
        return next(v["certificates"] for v in TEACHERS.values() if v["login"] == self.login)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> CertifiedTeacher:
        return cls(login=representation["login"])


@strawberry.type
class CertificatesQuery:
    @strawberry.field
    def certificate_count(self) -> int:
        return sum(len(v["certificates"]) for v in TEACHERS.values())

    @strawberry.field
    async def recount_certificates(self) -> int | None:
        """Slow on purpose: a second to answer."""
        await asyncio.sleep(1.0)
        return sum(len(v["certificates"]) for v in TEACHERS.values())


certificates = Schema(query=CertificatesQuery, types=[CertifiedTeacher])

SCHEMAS: dict[str, Schema] = {
    "catalogue": catalogue,
    "stores": stores,
    "reviews": reviews,
    "people": people,
    "certificates": certificates,
}


def apps() -> dict[str, GraphQL[Any, Any]]:
    return {name: GraphQL(schema) for name, schema in SCHEMAS.items()}


def sdl(name: str) -> str:
    result = SCHEMAS[name].execute_sync("{ _service { sdl } }")
    assert result.errors is None, result.errors
    assert result.data is not None
    return str(result.data["_service"]["sdl"])
