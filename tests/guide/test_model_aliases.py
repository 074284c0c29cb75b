"""Models with aliases: alias-named JSON in and out, response_model_by_alias, param aliases."""

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from tests.guide.conftest import operation, schema
from zephyr import Query, Zephyr

app = Zephyr()


class Account(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    account_id: int = Field(alias="accountId")
    display_name: str = Field(alias="displayName")


class Record:
    """A plain object, like an ORM row."""

    def __init__(self, account_id: int, display_name: str) -> None:
        self.account_id = account_id
        self.display_name = display_name


class AccountView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_id: int
    display_name: str


@app.post("/accounts")
async def create(account: Account) -> Account:
    return account


@app.get("/accounts/{account_id}", response_model=Account, response_model_by_alias=False)
async def read_snake(account_id: int) -> Any:
    return Account(account_id=account_id, display_name="Snake")


@app.get("/records/{account_id}", response_model=AccountView)
async def read_record(account_id: int) -> Any:
    return Record(account_id, "From a row")


@app.get("/lookup")
async def lookup(
    item_id: Annotated[int, Query(validation_alias=AliasChoices("item-id", "itemId"))],
) -> dict[str, int]:
    return {"item_id": item_id}


def test_aliases_in_and_out(client: Any) -> None:
    response = client.post("/accounts", json={"accountId": 1, "displayName": "Ann"})
    assert response.status_code == 200
    assert response.json() == {"accountId": 1, "displayName": "Ann"}
    by_name = client.post("/accounts", json={"account_id": 2, "display_name": "Bo"})
    assert by_name.json() == {"accountId": 2, "displayName": "Bo"}


def test_response_model_by_alias_false(client: Any) -> None:
    assert client.get("/accounts/5").json() == {"account_id": 5, "display_name": "Snake"}


def test_from_attributes(client: Any) -> None:
    assert client.get("/records/9").json() == {"account_id": 9, "display_name": "From a row"}


def test_validation_alias_query(client: Any) -> None:
    assert client.get("/lookup?item-id=3").json() == {"item_id": 3}
    assert client.get("/lookup?itemId=4").json() == {"item_id": 4}
    missing = client.get("/lookup?item_id=5")
    assert missing.status_code == 422


def test_openapi_aliases(client: Any) -> None:
    assert schema(client, "Account")["required"] == ["accountId", "displayName"]
    snake = operation(client, "/accounts/{account_id}")["responses"]["200"]["content"]
    assert snake["application/json"]["schema"] == {"$ref": "#/components/schemas/Account"}
