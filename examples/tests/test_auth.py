from fastapi.testclient import TestClient


def test_login_with_a_wrong_password_is_rejected(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", data={"username": "ada@example.com", "password": "wrong"})
    assert response.status_code == 401


def test_me_requires_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
