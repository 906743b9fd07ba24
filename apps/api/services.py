"""Former name of :mod:`apps.api.actions` / :mod:`apps.api.queries`, kept only for callers in other
apps' tests until they import the new modules (then delete this file)."""
from apps.api.actions import MAX_ACTIVE_TOKENS, TokenError, issue_token, revoke_token
from apps.api.queries import active_tokens

__all__ = ["MAX_ACTIVE_TOKENS", "TokenError", "active_tokens", "issue_token", "revoke_token"]
