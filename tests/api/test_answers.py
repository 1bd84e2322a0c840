"""Real answers of the API fit the models its schema declares (api/answers.py), busy accounts included."""

from __future__ import annotations

import time
import uuid

from fumidai.api import answers


def test_real_answers_fit_their_models(live, tokens, jp_address):
    account = f"answers-{time.time_ns()}"
    live.call(live.actions.import_accounts, [{"account": account, "contact": f"{account}@example.jp",
                                              "name": "Owner", "language": "en", "home_countries": None}], "test")
    live.send(account, jp_address, uuid.uuid4().hex[:12], recipients=2)
    with live.client(tokens["admin"]) as c:
        def get(path, **params):
            r = c.get(f"/api/v1{path}", params=params)
            assert r.status_code == 200, r.text
            return r.json()

        answers.Overview.model_validate(get("/overview"))
        answers.AccountPage.model_validate(get("/accounts"))
        answers.AccountPage.model_validate(get("/accounts", status="active", sort="-rate"))
        answers.AccountDetail.model_validate(get(f"/accounts/{account}"))
        answers.Countries.model_validate(get("/countries"))
        answers.Alerts.model_validate(get("/alerts"))
        answers.Trends.model_validate(get("/trends"))
        answers.Templates.model_validate(get("/templates"))
        answers.Me.model_validate(get("/me"))
        answers.Health.model_validate(get("/health"))
        r = c.post(f"/api/v1/accounts/{account}/notices/preview", json={"template": "warning", "language": "en"})
        answers.Preview.model_validate(r.json())
        r = c.post(f"/api/v1/accounts/{account}/suspend",
                   json={"reason": "answers", "notice": {"template": "warning", "language": "en",
                                                        "idempotency_key": account}})
        done = answers.ActionAnswer.model_validate(r.json())
        assert isinstance(done.notice, answers.NoticeRecord) and done.status == "suspended"
        r = c.put(f"/api/v1/accounts/{account}/limits",
                  json={"limits": {"messages_per_hour": 7}, "countries": {"CN": {"messages_per_day": 0}},
                        "reason": "answers"})
        detail = answers.ActionAnswer.model_validate(r.json())
        assert detail.override is not None and detail.limits.account.messages_per_hour == 7
        answers.ActionAnswer.model_validate(c.post(f"/api/v1/accounts/{account}/release", json={"reason": "x"}).json())
        answers.Audit.model_validate(get("/audit", account=account))
