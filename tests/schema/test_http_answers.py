"""Every answer is JSON with coded errors, and its status is the one GraphQL-over-HTTP gives."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Client

GRAPHQL_RESPONSE = "application/graphql-response+json"

# (what is wrong, request body, code of its one error)
REQUEST_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("syntax", {"query": "{ viewer { role "}, "GRAPHQL_PARSE_FAILED"),
    ("unknown field", {"query": "{ nothingHere }"}, "GRAPHQL_VALIDATION_FAILED"),
    (
        "missing variable",
        {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {}},
        "BAD_USER_INPUT",
    ),
    (
        "unknown operation",
        {"query": "query A { viewer { role } }", "operationName": "B"},
        "OPERATION_RESOLUTION_FAILURE",
    ),
    (
        "several operations, none named",
        {"query": "query A { viewer { role } } query B { viewer { user { id } } }"},
        "OPERATION_RESOLUTION_FAILURE",
    ),
]


async def _post(
    client: Client, body: dict[str, Any], accept: str | None, key: str | None = "own"
) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    if key is not None:
        headers["Authorization"] = f"Bearer {client.key if key == 'own' else key}"
    return await client.http.post("/graphql", json=body, headers=headers)


def _one_error(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert isinstance(error["extensions"]["retryable"], bool)
    return dict(error)


async def test_request_errors_are_4xx_without_data_for_graphql_response_clients(
    client: Client,
) -> None:
    for name, body, code in REQUEST_ERRORS:
        response = await _post(client, body, GRAPHQL_RESPONSE)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"] == GRAPHQL_RESPONSE, name
        assert "data" not in response.json(), name
        assert _one_error(response)["extensions"]["code"] == code, name


async def test_request_errors_are_200_for_json_clients(client: Client) -> None:
    for accept in (None, "application/json", "*/*"):
        for name, body, code in REQUEST_ERRORS:
            response = await _post(client, body, accept)
            assert response.status_code == 200, (name, accept, response.text)
            assert response.headers["content-type"] == "application/json", name
            assert _one_error(response)["extensions"]["code"] == code, name


async def test_a_missing_or_bad_key_is_401_for_graphql_response_clients(client: Client) -> None:
    for key in (None, "rpk_not_a_key"):
        response = await _post(client, {"query": "{ viewer { role } }"}, GRAPHQL_RESPONSE, key)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
        assert _one_error(response)["extensions"] == {"code": "UNAUTHENTICATED", "retryable": False}
        legacy = await _post(client, {"query": "{ viewer { role } }"}, "application/json", key)
        assert legacy.status_code == 200
        assert _one_error(legacy)["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_operation_that_ran_is_200_with_its_data(client: Client) -> None:
    answered = await _post(client, {"query": "{ viewer { role } }"}, GRAPHQL_RESPONSE)
    assert answered.status_code == 200
    assert answered.headers["content-type"] == GRAPHQL_RESPONSE
    assert answered.json() == {"data": {"viewer": {"role": "admin"}}}
    # A read answered straight from SQL says the same.
    listed = await _post(client, {"query": "{ customers { totalCount } }"}, GRAPHQL_RESPONSE)
    assert listed.status_code == 200
    assert listed.headers["content-type"] == GRAPHQL_RESPONSE
    assert listed.json() == {"data": {"customers": {"totalCount": 0}}}
    # A field error is the operation's own: it ran, and says which field failed.
    bad_id = await _post(client, {"query": '{ node(id: "nope") { id } }'}, GRAPHQL_RESPONSE)
    assert bad_id.status_code == 200
    assert bad_id.json()["data"] == {"node": None}
    assert _one_error(bad_id)["extensions"]["code"] == "BAD_USER_INPUT"


async def test_every_refusal_is_a_coded_json_body(client: Client) -> None:
    auth = {"Authorization": f"Bearer {client.key}"}
    mutation = 'mutation { deleteCustomer(id: "x") { errors { code } } }'
    refusals: list[tuple[dict[str, Any], int]] = [
        ({"content": b"hello", "headers": {**auth, "content-type": "text/plain"}}, 400),
        ({"content": b"{no", "headers": {**auth, "content-type": "application/json"}}, 400),
        ({"json": {"variables": {}}, "headers": auth}, 400),
        ({"method": "GET", "params": {"query": mutation}, "headers": auth}, 405),
    ]
    for request, status in refusals:
        method = request.pop("method", "POST")
        response = await client.http.request(method, "/graphql", **request)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        error = _one_error(response)
        assert error["extensions"]["code"], error
        assert error["message"], error
