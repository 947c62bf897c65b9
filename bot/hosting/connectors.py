"""Connector and user-token clients kept across turns, sending over aiohttp on the event loop.

botbuilder 4.17.1's `CloudAdapter` builds a new `ConnectorClient` and a new `UserTokenClient` for
every incoming activity, and each sends with `requests` on a thread pool: several milliseconds of
CPU per turn (msrest configuration, retry policy, a serializer over every schema model), a thread
hop per reply and a new TCP connection to the channel on every turn, since the session goes with
the client. The legacy `BotFrameworkAdapter` cached its connector clients; this does the same for
`CloudAdapter`, and sends the cached clients' requests with one keep-alive aiohttp session.

What is kept, and why that keeps behaviour:

* A connector client per (bot app id, audience, serviceUrl): those are all its inputs — the
  credentials the factory makes depend only on the app id and the audience (OAuth scope), and
  the client on the credentials and the serviceUrl. The credentials cache and refresh their
  token themselves (MSAL), as they do for the legacy adapter's cached clients.
* A user-token client per bot app id (its other inputs are fixed by the configuration).
* Requests are signed by the credentials' own `signed_session` (Bearer token, or nothing when
  the bot is anonymous), use the client configuration's timeout and TLS verification, the
  environment's proxies and CA bundle as `requests` would, and retry as the stock transport does:
  the decisions come from the same urllib3 `Retry` (msrest's `ClientRetryPolicy`), so connection
  failures are retried with its back-off and a POST is never re-sent after the server got it.
  Failures surface as msrest's `ClientRequestError`, as with `requests`.

Authentication is untouched: every request is still authenticated (`authenticate_request`)
before any of this runs, and a request that fails it never gets a client. Both caches are
bounded (least recently used out), since the serviceUrl comes from the request.

Trace activities are dropped before they are copied and sent on channels other than the
Emulator: `CloudAdapter` discards them there anyway (Bot Framework delivers traces only to the
Emulator), after deep-copying each one.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import urllib.request
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote, urljoin

import aiohttp
import certifi
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector import Channels
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError, raise_with_traceback
from msrest.pipeline import AsyncHTTPSender, AsyncPipeline, Request, Response, SansIOHTTPPolicy
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.requests import ClientRetryPolicy
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry
from yarl import URL

from bot.hosting.schema_codec import FastSerializer

MAX_CLIENTS = 64
"""Distinct (app id, audience, serviceUrl) clients kept; channels use a handful of serviceUrls."""


def bot_app_id(claims_identity: ClaimsIdentity) -> str | None:
    """The bot's app id for a request, read as botbuilder reads it (audience claim, else appid)."""
    app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if app_id is None:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return app_id


class _Lru(OrderedDict):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def fresh(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


# -- transport ----------------------------------------------------------------------------------


class _Headers:
    """What `AppCredentials.signed_session` touches of a requests session: its headers."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


class BearerPolicy(SansIOHTTPPolicy):
    """Signs each request as msrest's requests pipeline does, through the credentials'
    `signed_session`: `Authorization: Bearer <token>`, or no header for an anonymous bot."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials

    def on_request(self, request: Request, **kwargs: Any) -> None:
        signed = _Headers()
        self._credentials.signed_session(signed)
        headers = request.http_request.headers
        headers.pop("Authorization", None)
        headers.update(signed.headers)


async def _keep(session: aiohttp.ClientSession) -> AsyncIterator[aiohttp.ClientSession]:
    """Holds the session open; closed when the event loop shuts its async generators down
    (`asyncio.run` and aiohttp's `run_app` both do), so no session outlives its loop."""
    try:
        yield session
    finally:
        await session.close()


def _ssl_context() -> ssl.SSLContext:
    """Certificate verification as `requests` does it: its CA-bundle variables, else certifi."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return ssl.create_default_context(cafile=bundle or certifi.where())


def _as_urllib3_error(error: Exception) -> Exception:
    """The urllib3 error a `requests` transport would have met, for `Retry` to classify."""
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return NewConnectionError(None, str(error))  # type: ignore[arg-type]
    if isinstance(error, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        return ReadTimeoutError(None, None, str(error))  # type: ignore[arg-type]
    return ProtocolError(str(error), error)


class _Status:
    """The part of a urllib3 response that `Retry` reads."""

    def __init__(self, status: int, headers: Any) -> None:
        self.status = status
        self.headers = headers

    @staticmethod
    def get_redirect_location() -> bool:
        return False


class _ContextFreeSender(AsyncHTTPSender):
    """An msrest sender with nothing to open, close or carry between requests."""

    async def __aenter__(self) -> _ContextFreeSender:
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        return None

    def build_context(self) -> None:
        return None


class _Response(AioHttpClientResponse):
    """msrest 0.7.1's aiohttp response, except that an empty body is a body: msrest raises
    "Body is not available" for b"" when it deserializes the answer, so an empty 202 (the
    Microsoft 365 Agents Playground accepts a message with text and a card that way) failed the
    turn."""

    def body(self) -> bytes:
        if self._body is None:
            return super().body()
        return self._body


class AiohttpSender(_ContextFreeSender):
    """Sends msrest requests over one keep-alive aiohttp session per event loop."""

    def __init__(self, retry: Retry | None = None) -> None:
        self._retry = retry or ClientRetryPolicy()()
        self._session: aiohttp.ClientSession | None = None
        self._keeper: AsyncIterator[aiohttp.ClientSession] | None = None
        self._ssl: ssl.SSLContext | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}
        self._bundles: dict[str, ssl.SSLContext] = {}

    async def _client(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed or session._loop is not asyncio.get_running_loop():
            if self._ssl is None:
                self._ssl = _ssl_context()
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl), trust_env=False
            )
            self._keeper = _keep(session)
            self._session = await anext(self._keeper)
        return session

    def _verification(self, verify: Any) -> bool | ssl.SSLContext:
        """`requests`' `verify`: True (the session's CA bundle), False, or a CA bundle's path."""
        if isinstance(verify, bool):
            return verify
        if verify not in self._bundles:
            self._bundles[verify] = ssl.create_default_context(cafile=verify)
        return self._bundles[verify]

    def _proxy(self, url: URL) -> str | None:
        """The environment's proxy for a URL, as `requests` picks it (computed once per host)."""
        key = (url.scheme, url.host or "")
        if key not in self._proxies:
            proxies = urllib.request.getproxies_environment()
            bypass = urllib.request.proxy_bypass_environment(url.host or "", proxies)
            self._proxies[key] = None if bypass else proxies.get(url.scheme)
        return self._proxies[key]

    async def send(self, request: Request, **kwargs: Any) -> Response:
        return await self.send_for(request, None)

    async def send_for(self, request: Request, config: Any) -> Response:
        """Send with a client configuration's timeout, TLS verification and extra headers."""
        http = request.http_request
        connection = getattr(config, "connection", None)
        timeout = getattr(connection, "timeout", None) or 100
        verify = getattr(connection, "verify", True)
        headers = {**getattr(config, "headers", {}), **http.headers}
        url = URL(http.url, encoded=True)
        retry = self._retry
        while True:
            session = await self._client()
            try:
                raw = await session.request(
                    http.method,
                    url,
                    headers=headers,
                    data=http.data,
                    ssl=self._verification(verify),
                    proxy=self._proxy(url),
                    max_redirects=30,
                    timeout=aiohttp.ClientTimeout(sock_connect=timeout, sock_read=timeout),
                )
                response = _Response(http, raw)
                await response.load_body()
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                try:
                    retry = retry.increment(http.method, http.url, error=_as_urllib3_error(error))
                except (MaxRetryError, ProtocolError, ReadTimeoutError, NewConnectionError):
                    raise_with_traceback(ClientRequestError, "Error occurred in request.", error)
                await asyncio.sleep(retry.get_backoff_time())
                continue
            status = _Status(response.status_code, response.headers)
            has_retry_after = bool(response.headers.get("Retry-After"))
            if not retry.is_retry(http.method, status.status, has_retry_after):
                return Response(request, response)
            try:
                retry = retry.increment(http.method, http.url, response=status)  # type: ignore[arg-type]
            except MaxRetryError as error:
                raise_with_traceback(ClientRequestError, "Error occurred in request.", error)
            delay = retry.get_retry_after(status) if has_retry_after else None  # type: ignore[arg-type]
            await asyncio.sleep(delay if delay is not None else retry.get_backoff_time())


class _ClientSender(_ContextFreeSender):
    """The shared sender, bound to one client's configuration."""

    def __init__(self, shared: AiohttpSender, config: Any) -> None:
        self._shared = shared
        self._config = config

    async def send(self, request: Request, **kwargs: Any) -> Response:
        return await self._shared.send_for(request, self._config)


def send_with(client: Any, credentials: Any, sender: AiohttpSender) -> None:
    """Route an msrest service client's requests through `sender`, signed by `credentials`,
    with the same policies as its stock pipeline (user agent, raw deserializer, HTTP logger)."""
    config = client.config
    policies = [
        config.user_agent_policy,
        BearerPolicy(credentials),
        RawDeserializer(),
        config.http_logger_policy,
    ]
    config.pipeline = AsyncPipeline(policies, _ClientSender(sender, config))


def write_fast(client: ConnectorClient) -> None:
    """Give a connector client's operations a serializer that writes activities directly
    (bot/hosting/schema_codec.py: msrest's output, without its per-call round trip)."""
    serializer = FastSerializer(client._serialize.dependencies)
    client._serialize = serializer
    client.conversations._serialize = serializer
    client.attachments._serialize = serializer


# -- sending activities -------------------------------------------------------------------------


def activities_url(base_url: str, conversation_id: str, reply_to_id: str | None) -> str:
    """The Connector API URL an activity is posted to, as the generated operations build it:
    `v3/conversations/{conversationId}/activities[/{activityId}]` with each id quoted whole,
    joined to the client's base URL (msrest's `Serializer.url` and `format_url`)."""
    path = "v3/conversations/" + quote(conversation_id, safe="") + "/activities"
    if reply_to_id:
        path += "/" + quote(reply_to_id, safe="")
    return urljoin(base_url.rstrip("/") + "/", path)


async def post_activity(client: ConnectorClient, activity: Activity) -> ResourceResponse | None:
    """Post an activity to its conversation: `ConversationsOperations.reply_to_activity` when it
    replies to an activity, `send_to_conversation` otherwise (botframework-connector 4.17.1).

    Same URL, headers, body and errors, sent through the client's own pipeline (user agent,
    signing, logging, the kept aiohttp sender); what is left out is the operations' per-call
    msrest work around that (URL templating and validation, header serialization), ~4% of a
    routed question's turn."""
    conversations = client.conversations
    conversation_id = activity.conversation.id
    request = ClientRequest(
        "POST", activities_url(client.config.base_url, conversation_id, activity.reply_to_id)
    )
    request.headers["Accept"] = "application/json"
    request.headers["Content-Type"] = "application/json; charset=utf-8"
    if activity.reply_to_id:  # reply_to_activity names the conversation, send_to_conversation not
        request.headers["x-ms-conversation-id"] = conversation_id
    request.add_content(conversations._serialize.body(activity, "Activity"))
    response = await conversations._client.async_send(request, stream=False)
    if response.status_code not in (200, 201, 202):
        raise ErrorResponseException(conversations._deserialize, response)
    return conversations._deserialize("ResourceResponse", response)


# -- clients kept across turns ------------------------------------------------------------------


class CachedConnectorFactory(ConnectorFactory):
    """A `ConnectorFactory` that hands out one client per (app id, audience, serviceUrl)."""

    def __init__(
        self, inner: ConnectorFactory, app_id: str | None, cache: _Lru, sender: AiohttpSender
    ) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache
        self._sender = sender

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, audience, service_url)
        client = self._cache.fresh(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            send_with(client._client, client.config.credentials, self._sender)
            write_fast(client)
            self._cache.put(key, client)
        return client


class ChannelTurnContext(TurnContext):
    """A `TurnContext` that drops trace activities up front on channels that never get them."""

    async def send_trace_activity(
        self,
        name: str,
        value: object = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> ResourceResponse:
        """Build and send the trace only where Bot Framework delivers it (the Emulator)."""
        if self.activity.channel_id != Channels.emulator:
            return ResourceResponse(id="")
        return await super().send_trace_activity(name, value, value_type, label)

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        if self.activity.channel_id == Channels.emulator or not any(
            getattr(a, "type", None) == ActivityTypes.trace for a in activities
        ):
            return await super().send_activities(activities)
        kept = [a for a in activities if getattr(a, "type", None) != ActivityTypes.trace]
        sent = iter(await super().send_activities(kept) if kept else [])
        return [
            ResourceResponse(id="")
            if getattr(a, "type", None) == ActivityTypes.trace
            else next(sent)
            for a in activities
        ]


class CachingCloudAdapter(CloudAdapter):
    """`CloudAdapter` that keeps connector and user-token clients across turns."""

    def __init__(self, *args: Any, max_clients: int = MAX_CLIENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connector_clients = _Lru(max_clients)
        self._user_token_clients = _Lru(max_clients)
        self._sender = AiohttpSender()

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """`CloudAdapterBase.send_activities` (botbuilder 4.17.1), posting with `post_activity`.

        An empty list sends nothing (a send handler may have taken every activity to send later,
        bot/state/concurrency.py's ReplyHold), where `CloudAdapterBase` raises TypeError."""
        if not context:
            raise TypeError("Expected TurnContext but got None instead")
        if activities is None:
            raise TypeError("Expected Activities list but got None instead")
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity.id = None
            response: ResourceResponse | None = ResourceResponse()
            if activity.type == "delay":
                await asyncio.sleep(int((activity.value or 1000) / 1000))
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
            elif activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
                pass  # Bot Framework delivers traces to the Emulator only
            else:
                client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
                if not client:
                    raise RuntimeError("Unable to extract ConnectorClient from turn context.")
                response = await post_activity(client, activity)
                if response is not None and response.id:
                    activity.id = response.id  # the channel's id: what Teams' feedback names
            responses.append(response or ResourceResponse(id=activity.id or ""))
        return responses

    async def _user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = bot_app_id(claims_identity)
        client = self._user_token_clients.fresh(key)
        if client is None:
            client = await self.bot_framework_authentication.create_user_token_client(
                claims_identity
            )
            self._user_token_clients.put(key, client)
        return client

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable],
    ) -> InvokeResponse | None:
        """`CloudAdapterBase.process_activity` (4.17.1), with kept clients."""
        result = auth_header_or_authenticate_request_result
        if isinstance(result, str):
            result = await self.bot_framework_authentication.authenticate_request(activity, result)
        activity.caller_id = result.caller_id
        if not result.connector_factory:
            raise RuntimeError("Unable to extract ConnectorClient from turn context.")
        factory = CachedConnectorFactory(
            result.connector_factory,
            bot_app_id(result.claims_identity),
            self._connector_clients,
            self._sender,
        )
        connector_client = await factory.create(activity.service_url, result.audience)
        user_token_client = await self._user_token_client(result.claims_identity)
        context = self._create_turn_context(
            activity,
            result.claims_identity,
            result.audience,
            connector_client,
            user_token_client,
            logic,
            factory,
        )
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)

    def _create_turn_context(
        self,
        activity: Activity,
        claims_identity: ClaimsIdentity,
        oauth_scope: str,
        connector_client: ConnectorClient,
        user_token_client: UserTokenClient,
        logic: Callable[[TurnContext], Awaitable],
        connector_factory: ConnectorFactory,
    ) -> TurnContext:
        """`CloudAdapterBase._create_turn_context` (4.17.1), with a `ChannelTurnContext`."""
        context = ChannelTurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = claims_identity
        context.turn_state[self.BOT_CONNECTOR_CLIENT_KEY] = connector_client
        context.turn_state[self.USER_TOKEN_CLIENT_KEY] = user_token_client
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        context.turn_state[self.CONNECTOR_FACTORY_KEY] = connector_factory
        context.turn_state[self.BOT_OAUTH_SCOPE_KEY] = oauth_scope
        return context
