"""Wire messages for the Google Ads sandbox, built from the google-ads package's own types.

Contract: the sandbox speaks API `v26` with the protobuf classes that ship in `google-ads`
(`SearchGoogleAdsRequest.pb()` and friends; the package ships no `*_pb2_grpc` servicers
and registers no service descriptors, so the server uses generic handlers with these
messages). `RowWriter` writes plain rows (`{"campaign.id": 1, ...}`) into `GoogleAdsRow`
messages through the row descriptor, converting enum names, dates and date-times.
`failure(...)` builds the `GoogleAdsFailure` the real API sends in the
`google.ads.googleads.v26.errors.googleadsfailure-bin` trailer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from google.ads.googleads.v26.errors.types import errors as ads_errors
from google.ads.googleads.v26.services.types import customer_service, google_ads_service
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

__all__ = [
    "API_VERSION",
    "CUSTOMER_SERVICE",
    "FAILURE_METADATA_KEY",
    "GOOGLE_ADS_SERVICE",
    "ListAccessibleCustomersRequest",
    "ListAccessibleCustomersResponse",
    "RowWriter",
    "SearchRequest",
    "SearchResponse",
    "SearchStreamRequest",
    "SearchStreamResponse",
    "failure",
]

API_VERSION = "v26"
GOOGLE_ADS_SERVICE = f"google.ads.googleads.{API_VERSION}.services.GoogleAdsService"
CUSTOMER_SERVICE = f"google.ads.googleads.{API_VERSION}.services.CustomerService"
FAILURE_METADATA_KEY = f"google.ads.googleads.{API_VERSION}.errors.googleadsfailure-bin"

SearchRequest: Any = google_ads_service.SearchGoogleAdsRequest.pb()
SearchResponse: Any = google_ads_service.SearchGoogleAdsResponse.pb()
SearchStreamRequest: Any = google_ads_service.SearchGoogleAdsStreamRequest.pb()
SearchStreamResponse: Any = google_ads_service.SearchGoogleAdsStreamResponse.pb()
ListAccessibleCustomersRequest: Any = customer_service.ListAccessibleCustomersRequest.pb()
ListAccessibleCustomersResponse: Any = customer_service.ListAccessibleCustomersResponse.pb()
_GoogleAdsRow: Any = google_ads_service.GoogleAdsRow.pb()
_GoogleAdsFailure: Any = ads_errors.GoogleAdsFailure.pb()

_Setter = Callable[[Message, object], None]


def _wire_value(field: FieldDescriptor, value: object) -> object:
    if field.enum_type is not None:
        return field.enum_type.values_by_name[str(value)].number
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class RowWriter:
    """Writes the selected fields of plain rows into `GoogleAdsRow` messages."""

    def __init__(self, fields: Sequence[str]) -> None:
        self._fields = list(fields)
        self._setters = [self._setter(name) for name in self._fields]

    @staticmethod
    def _setter(path: str) -> _Setter:
        *parents, leaf = path.split(".")
        descriptor = _GoogleAdsRow.DESCRIPTOR
        for part in parents:
            descriptor = descriptor.fields_by_name[part].message_type
        leaf_field = descriptor.fields_by_name[leaf]

        def set_value(row: Message, value: object) -> None:
            target: Any = row
            for part in parents:
                target = getattr(target, part)
            setattr(target, leaf, _wire_value(leaf_field, value))

        return set_value

    def write(self, rows: Sequence[Mapping[str, object]], results: Any) -> None:
        """Append one `GoogleAdsRow` per plain row to the repeated field `results`."""
        for row in rows:
            message = results.add()
            for name, setter in zip(self._fields, self._setters, strict=True):
                value = row.get(name)
                if value is not None:
                    setter(message, value)


def failure(
    category: str,
    code: str,
    message: str,
    *,
    request_id: str,
    retry_delay_s: float | None = None,
) -> bytes:
    """A serialized `GoogleAdsFailure` with one error, e.g. `quota_error` / `RESOURCE_EXHAUSTED`."""
    result = _GoogleAdsFailure()
    result.request_id = request_id
    error = result.errors.add()
    error.message = message
    field = error.error_code.DESCRIPTOR.fields_by_name[category]
    setattr(error.error_code, category, field.enum_type.values_by_name[code].number)
    if retry_delay_s is not None:
        details = error.details.quota_error_details
        details.rate_scope = (
            details.DESCRIPTOR.fields_by_name["rate_scope"]
            .enum_type.values_by_name["DEVELOPER"]
            .number
        )
        details.rate_name = "Requests per developer per day"
        details.retry_delay.FromTimedelta(dt.timedelta(seconds=retry_delay_s))
    data: bytes = result.SerializeToString()
    return data
