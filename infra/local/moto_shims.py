"""Eight small corrections to moto's server for a local stack that runs all day (issue: a busy day).

Each replaces only a path whose cost grows with everything the emulator has ever held; what moto
promises (and the tests in ``tests/integration/test_local_moto_shims.py`` pin) stays the same:

- **Instances tracked weakly.** moto's ``BaseModel.__new__`` appends every model instance it ever
  creates to a class-level list (``instances_tracked``, for its ``/moto-api/`` dashboard), so nothing
  moto makes is ever freed: every SQS message, SES email and the two whole-table copies each
  DynamoDB transaction makes. The lists become weak sets: the dashboard still lists every live
  instance; the dead ones go.
- **A transaction snapshots the items it touches**, not whole tables. moto's
  ``transact_write_items`` deep-copies every table a transaction names so that it can roll back, so
  each intake commit costs time proportional to the table. Here the copy is of the touched items
  (and the length of the table's stream), restored when the transaction fails; moto's own checks,
  writes and error answers run unchanged.
- **Retention read once per message, not counted.** For every message it hands out, moto's
  ``receive_message`` checks the retention period through ``get_queue_attributes``, which counts
  every message in the queue: quadratic in the backlog. The retention period is read from the
  queue itself; a message past it is still dropped.
- **Data-plane answers written as DynamoDB JSON.** moto 5.2 writes every answer through its generic,
  shape-driven serializer, which walks each attribute value of each item against botocore's model: a
  DynamoDB Streams ``GetRecords`` page of a hundred inquiry records (old and new images) took ~40 ms of
  the emulator's one core, a ``GetItem`` ~2 ms. For DynamoDB's item reads and writes and the stream's
  ``GetRecords`` (``FAST_JSON_ACTIONS``), a successful answer is written with moto's own DynamoDB JSON
  encoder (``dynamo_json_dump``, what moto's DynamoDB used before 5.2), absent fields left out as the
  serializer leaves them; error answers, and every other action, still go through moto's serializer.
- **One signing certificate per SNS subscription.** For every notification to an SQS subscription that
  is not raw (the local outbox's and the care team's phone's), moto builds and signs a new X.509
  certificate and keeps its PEM forever (``_message_public_keys``): two RSA signatures per notification
  and a dictionary that only grows. Here the first notification's certificate is kept for the
  subscription and each later notification is signed with the same key (one RSA signature); every
  envelope still verifies against the certificate at its ``SigningCertURL``.
- **An event target's input paths parsed once.** For every event and every target of a matching rule
  (InquiryEventBus's archive is one), moto parses the target's JSONPath input paths again with
  ``jsonpath_ng`` (PLY: about a millisecond each). A parsed path is a pure function of its text, so the
  parse is cached (``jsonpath_ng.ext.parse``, the only caller in the stack's process being moto's
  events); each event is still matched and transformed on its own.
- **Used stream iterators expire.** moto keeps every DynamoDB Streams shard iterator it hands out
  (``shard_iterators``, each with a 632-character id) for ever, and every ``GetRecords`` hands out a new
  one: the local stack's two stream pollers, every half second, made the emulator grow up to ~6 KiB a
  second whether or not anything happened (a day of ``make run``: up to ~0.5 GiB). AWS lets an iterator be used
  for 15 minutes. Here an iterator that has been read and is older than that is forgotten; one that was
  never read is kept (a poller that waits longer than 15 minutes still goes on where it was).
- **Stream records kept as JSON.** moto keeps each DynamoDB stream record as a tree of small dicts (one
  per attribute of its old and new images), all of them for the stream's life: on the local stack,
  InquiriesTable's stream was the largest store (~70 MiB per 1,000 inquiries, docs/benchmarks.md).
  Here each record is kept as its JSON text, compressed (a record's old and new images are nearly the
  same), and rebuilt when it is read: every ``GetRecords`` answer is the same, record for record; a
  record JSON cannot carry exactly (none that DynamoDB makes) is kept as moto keeps it.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from typing import Any

import jsonpath_ng.ext as jsonpath_ext
from moto.core import model_instances
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import iso_8601_datetime_with_milliseconds, unix_time
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamRecord, Table
from moto.dynamodb.models.utilities import dynamo_json_dump
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.sns.models import Subscription
from moto.sqs.models import Message, SQSBackend

_installed = False
_install_lock = threading.Lock()


class WeakInstances:
    """What ``instances_tracked`` holds after the shim: ``append`` and iteration, weakly.

    By identity (moto's items define ``__eq__`` without a hash); an instance that cannot be weakly
    referenced is kept as moto would keep it.
    """

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}
        self._kept: list[Any] = []

    def append(self, instance: Any) -> None:
        """Track ``instance`` for as long as something else keeps it."""
        key = id(instance)
        refs = self._refs
        try:
            refs[key] = weakref.ref(instance, lambda _ref: refs.pop(key, None))
        except TypeError:
            self._kept.append(instance)

    def __iter__(self) -> Iterator[Any]:
        alive = [obj for ref in list(self._refs.values()) if (obj := ref()) is not None]
        return iter(alive + self._kept)

    def __len__(self) -> int:
        return len(self._refs) + len(self._kept)


def track_instances_weakly() -> None:
    """Make every moto model class track its instances weakly, now and after a moto reset."""
    for models in model_instances.model_data.values():
        for model in models.values():
            model.instances_tracked = WeakInstances()  # type: ignore[attr-defined]


def _reset_model_data_weakly() -> None:
    track_instances_weakly()


# -- DynamoDB: snapshot the touched items ------------------------------------------------------------

_in_transaction = threading.local()
_original_transact_write_items = DynamoDBBackend.transact_write_items


def _table_deepcopy(self: Table, memo: dict[int, Any]) -> Table:
    """Inside a shimmed transaction moto's "backup" of a table is the table itself (see below)."""
    if getattr(_in_transaction, "active", False):
        return self
    reductor = self.__reduce_ex__(4)
    return copy._reconstruct(self, memo, *reductor)  # type: ignore[attr-defined,no-any-return]


def _touched_key(backend: DynamoDBBackend, item: dict[str, Any]) -> tuple[Table, DynamoType, DynamoType | None] | None:
    op_type, op = next(iter(item.items()))
    table = backend.tables.get(op.get("TableName", "")) if isinstance(op, dict) else None
    if table is None:
        return None
    attrs = op.get("Item") if op_type == "Put" else op.get("Key")
    if not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
        return None
    range_attr = table.range_key_attr
    if range_attr is not None and range_attr not in attrs:
        return None
    return (table, DynamoType(attrs[table.hash_key_attr]),
            DynamoType(attrs[range_attr]) if range_attr is not None else None)


def _restore(table: Table, hash_key: DynamoType, range_key: DynamoType | None, before: Item | None) -> None:
    if range_key is None:
        if before is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = before  # type: ignore[assignment]
        return
    by_range = table.items[hash_key]
    if before is None:
        by_range.pop(range_key, None)
        if not by_range:
            table.items.pop(hash_key, None)
    else:
        by_range[range_key] = before


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's ``transact_write_items``, rolling back the items it touched instead of whole tables."""
    touched = [key for item in transact_items[:100] if isinstance(item, dict) and item
               if (key := _touched_key(self, item)) is not None]
    before = [copy.deepcopy(table.get_item(hash_key, range_key)) for table, hash_key, range_key in touched]
    streams = {id(table): (table, len(table.stream_shard.items))
               for table, _, _ in touched if table.stream_shard is not None}
    _in_transaction.active = True
    try:
        _original_transact_write_items(self, transact_items)
    except Exception:
        for (table, hash_key, range_key), item in reversed(list(zip(touched, before, strict=True))):
            _restore(table, hash_key, range_key, item)
        for table, length in streams.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]
        raise
    finally:
        _in_transaction.active = False


# -- SQS: the retention period, read once ------------------------------------------------------------

def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
    """moto's check, reading ``MessageRetentionPeriod`` from the queue instead of all its attributes."""
    queue = self.get_queue(queue_name)
    retention = int(queue.message_retention_period)  # type: ignore[attr-defined]  # set from its attributes
    retain_until = retention + int(message.sent_timestamp or 0) / 1000
    return bool(retain_until > unix_time())


# -- DynamoDB and its streams: data-plane answers as DynamoDB JSON -----------------------------------

FAST_JSON_ACTIONS = {
    "dynamodb": frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
                           "TransactGetItems"}),
    "dynamodbstreams": frozenset({"GetRecords"}),
}
_JSON_HANDLERS: tuple[type[BaseResponse], ...] = (DynamoHandler, DynamoDBStreamsHandler)
_original_serialized = BaseResponse.serialized


def _without_none(value: Any) -> Any:
    """The answer without its absent (None) fields, as moto's serializer leaves them out."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def serialized(self: BaseResponse, action_result: ActionResult) -> tuple[int, dict[str, Any], str]:
    """A successful data-plane answer as DynamoDB JSON; anything else as moto writes it."""
    result = action_result.result
    if (type(action_result) in (ActionResult, DynamoResult) and isinstance(result, dict)
            and self._get_action() in FAST_JSON_ACTIONS.get(str(self.service_name), ())):
        headers: dict[str, Any] = {"Content-Type": "application/x-amz-json-1.0"}
        headers.update(self.response_headers)
        return 200, headers, dynamo_json_dump(_without_none(result))
    return _original_serialized(self, action_result)  # type: ignore[return-value]


# -- SNS: one signing certificate per subscription ------------------------------------------------------

_original_get_post_data = Subscription.get_post_data
# The envelope's fields that stay the same for a subscription once its certificate exists.
_ENVELOPE_CONSTANTS = ("Type", "TopicArn", "SignatureVersion", "SigningCertURL", "UnsubscribeURL")


def get_post_data(self: Subscription, message: str, message_id: str, subject: str | None,
                  message_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """moto's SNS envelope, signed with the subscription's one certificate (made by moto, the first time)."""
    constants: dict[str, Any] | None = getattr(self, "_local_envelope", None)
    if constants is None:
        post_data: dict[str, Any] = _original_get_post_data(self, message, message_id, subject,
                                                            message_attributes=message_attributes)
        self._local_envelope = {k: post_data[k] for k in _ENVELOPE_CONSTANTS}  # type: ignore[attr-defined]
        return post_data
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    timestamp = iso_8601_datetime_with_milliseconds()
    signed = (f"Message\n{message}\nMessageId\n{message_id}\nTimestamp\n{timestamp}\nTopicArn\n"
              f"{self.topic.arn}\nType\nNotification\n")
    signature = self.private_key().sign(signed.encode("UTF-8"), padding.PKCS1v15(), hashes.SHA256())
    post_data = {**constants, "MessageId": message_id, "Message": message, "Timestamp": timestamp,
                 "Signature": base64.b64encode(signature).decode("utf-8")}
    if subject:
        post_data["Subject"] = subject
    if message_attributes:
        post_data["MessageAttributes"] = message_attributes
    return post_data


# -- EventBridge: input paths parsed once -----------------------------------------------------------------

_original_jsonpath_parse = jsonpath_ext.parse  # type: ignore[attr-defined]
cached_jsonpath_parse = functools.lru_cache(maxsize=256)(_original_jsonpath_parse)


# -- DynamoDB Streams: used iterators expire ---------------------------------------------------------------

ITERATOR_LIFETIME_SECONDS = 15 * 60.0  # what DynamoDB Streams allows an iterator
SWEEP_EVERY_SECONDS = 60.0  # how often GetRecords looks for expired iterators (a pass reads them all)
_iterators_lock = threading.Lock()
_original_get_records = DynamoDBStreamsBackend.get_records


def _born(iterator: ShardIterator) -> float:
    born: float | None = getattr(iterator, "_local_born", None)
    if born is None:  # made by moto (get_shard_iterator, or the last page's next iterator): now
        born = time.monotonic()
        iterator._local_born = born  # type: ignore[attr-defined]
    return born


def forget_used_iterators(backend: DynamoDBStreamsBackend, now: float | None = None) -> int:
    """Forget the iterators that were read and are past their lifetime; how many were forgotten."""
    now = time.monotonic() if now is None else now
    with _iterators_lock:
        expired = [arn for arn, iterator in list(backend.shard_iterators.items())
                   if getattr(iterator, "_local_used", False)
                   and now - _born(iterator) > ITERATOR_LIFETIME_SECONDS]
        for arn in expired:
            backend.shard_iterators.pop(arn, None)
    return len(expired)


def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    """moto's ``GetRecords``, marking the iterator read and forgetting the read ones past their lifetime."""
    iterator = self.shard_iterators[iterator_arn]
    _born(iterator)
    answer: dict[str, Any] = _original_get_records(self, iterator_arn, limit)
    iterator._local_used = True  # type: ignore[attr-defined]
    _born(self.shard_iterators[answer["NextShardIterator"]])
    now = time.monotonic()
    last: float | None = getattr(self, "_local_last_sweep", None)
    if last is None or not 0 <= now - last < SWEEP_EVERY_SECONDS:
        self._local_last_sweep = now  # type: ignore[attr-defined]
        forget_used_iterators(self, now)
    return answer


# -- DynamoDB Streams: records kept as compressed JSON -----------------------------------------------------

_original_record_init = StreamRecord.__init__
_original_record_to_json = StreamRecord.to_json
_CREATED = "ApproximateCreationDateTime"  # a datetime: kept as it is, beside the JSON


def _record_init(self: StreamRecord, *args: Any, **kwargs: Any) -> None:
    _original_record_init(self, *args, **kwargs)
    record = self.record
    dynamodb = record.get("dynamodb")
    if not isinstance(dynamodb, dict):
        return
    created = dynamodb.get(_CREATED)
    rest = {**record, "dynamodb": {k: v for k, v in dynamodb.items() if k != _CREATED}}
    try:
        text = json.dumps(rest, separators=(",", ":"))
    except (TypeError, ValueError):
        return
    if json.loads(text) != rest:  # not carried exactly (a tuple, bytes): keep moto's own
        return
    del self.record
    self._local_packed = (zlib.compress(text.encode(), 1), created,  # type: ignore[attr-defined]
                          _CREATED in dynamodb)


def _record_to_json(self: StreamRecord) -> dict[str, Any]:
    packed: tuple[bytes, Any, bool] | None = getattr(self, "_local_packed", None)
    if packed is None:
        return _original_record_to_json(self)
    compressed, created, had_created = packed
    record: dict[str, Any] = json.loads(zlib.decompress(compressed))
    if had_created:  # where moto put it: after the view type
        dynamodb = record["dynamodb"]
        record["dynamodb"] = {"StreamViewType": dynamodb.pop("StreamViewType"), _CREATED: created, **dynamodb} \
            if "StreamViewType" in dynamodb else {_CREATED: created, **dynamodb}
    return record


_ORIGINALS: dict[str, Any] = {
    "reset_model_data": model_instances.reset_model_data,
    "transact_write_items": DynamoDBBackend.transact_write_items,
    "is_message_valid_based_on_retention_period": SQSBackend.is_message_valid_based_on_retention_period,
}


def install() -> None:
    """Apply the eight shims to moto in this process (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        track_instances_weakly()
        _set_reset_model_data(_reset_model_data_weakly)
        Table.__deepcopy__ = _table_deepcopy  # type: ignore[attr-defined]
        DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
            is_message_valid_based_on_retention_period)
        for handler in _JSON_HANDLERS:
            handler.serialized = serialized  # type: ignore[method-assign]
        Subscription.get_post_data = get_post_data  # type: ignore[method-assign]
        jsonpath_ext.parse = cached_jsonpath_parse  # type: ignore[attr-defined]
        DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]
        StreamRecord.__init__ = _record_init  # type: ignore[method-assign]
        StreamRecord.to_json = _record_to_json  # type: ignore[method-assign]
        _installed = True


def uninstall() -> None:
    """Put moto back as it was (tests compare with and without the shims)."""
    global _installed
    with _install_lock:
        if not _installed:
            return
        _set_reset_model_data(_ORIGINALS["reset_model_data"])
        for models in model_instances.model_data.values():
            for model in models.values():
                model.instances_tracked = list(model.instances_tracked)  # type: ignore[attr-defined]
        del Table.__deepcopy__  # type: ignore[attr-defined]
        DynamoDBBackend.transact_write_items = _ORIGINALS["transact_write_items"]  # type: ignore[method-assign]
        SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
            _ORIGINALS["is_message_valid_based_on_retention_period"])
        for handler in _JSON_HANDLERS:
            if "serialized" in vars(handler):
                delattr(handler, "serialized")
        Subscription.get_post_data = _original_get_post_data  # type: ignore[method-assign]
        jsonpath_ext.parse = _original_jsonpath_parse  # type: ignore[attr-defined]
        cached_jsonpath_parse.cache_clear()
        DynamoDBStreamsBackend.get_records = _original_get_records  # type: ignore[method-assign]
        StreamRecord.__init__ = _original_record_init  # type: ignore[method-assign]
        StreamRecord.to_json = _original_record_to_json  # type: ignore[method-assign]
        _installed = False


def _set_reset_model_data(function: Any) -> None:
    model_instances.reset_model_data = function
    try:
        from moto.moto_api._internal import models as moto_api_models
    except ImportError:  # pragma: no cover - moto without its API module
        return
    moto_api_models.reset_model_data = function  # type: ignore[attr-defined]
