"""A throwaway TLS identity for the Google Ads sandbox, and how the stock client trusts it.

Contract: `sandbox_certificate()` returns the process-wide self-signed certificate (EC
P-256, SAN `localhost` and `127.0.0.1`, valid 2 days), generated at first use with
`cryptography`. The private key lives only in memory; the certificate is written to a
private temp directory removed at exit (or to `cert_file` when a separate client process
must read it). Nothing is ever committed.

`trust_sandbox_certificate(cert)` adds that certificate to gRPC's default trust store
through `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` (a bundle of the roots it named before, or of
grpcio's own roots, plus the sandbox certificate), which is why the unmodified
`GoogleAdsClient.get_service()` (always a TLS channel) reaches the sandbox with only
`endpoint=` changed (research §4.2 recipe A). gRPC core reads that variable once, when the
process creates its first TLS channel: start the sandbox (or call this) before then. Only
sandbox, test and demo processes call it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import ipaddress
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = [
    "ROOTS_ENV_VAR",
    "SandboxCertificate",
    "generate_certificate",
    "sandbox_certificate",
    "trust_sandbox_certificate",
]

ROOTS_ENV_VAR = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
_lock = threading.Lock()
_certificate: SandboxCertificate | None = None


@dataclass(frozen=True)
class SandboxCertificate:
    cert_pem: bytes
    key_pem: bytes
    cert_path: Path


def generate_certificate(cert_file: Path | None = None) -> SandboxCertificate:
    """A fresh self-signed certificate; its PEM is written to `cert_file` (or a temp dir)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mediaplan google ads sandbox")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    if cert_file is None:
        directory = Path(tempfile.mkdtemp(prefix="mediaplan-ads-sandbox-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        cert_file = directory / "roots.pem"
    cert_file.write_bytes(cert_pem)
    return SandboxCertificate(cert_pem, key_pem, cert_file)


def sandbox_certificate() -> SandboxCertificate:
    """The certificate every sandbox in this process serves (generated once)."""
    global _certificate
    with _lock:
        if _certificate is None:
            _certificate = generate_certificate()
        return _certificate


def _grpc_bundled_roots() -> bytes:
    try:
        return (resources.files("grpc") / "_cython" / "_credentials" / "roots.pem").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return b""


def trust_sandbox_certificate(cert: SandboxCertificate) -> Path:
    """Point gRPC's default roots at a bundle of the current roots plus `cert`; its path.

    The current roots are the file `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` already names (CI
    images often set it), else the roots bundled with grpcio, so the process still trusts
    real endpoints. Idempotent.
    """
    bundle = cert.cert_path.with_name(cert.cert_path.stem + "-bundle.pem")
    with _lock:
        current = os.environ.get(ROOTS_ENV_VAR)
        if current is not None and Path(current) == bundle:
            return bundle
        base = b""
        if current:
            try:
                base = Path(current).read_bytes()
            except OSError:
                base = b""
        if not base:
            base = _grpc_bundled_roots()
        bundle.write_bytes(base.rstrip(b"\n") + b"\n" + cert.cert_pem)
        os.environ[ROOTS_ENV_VAR] = str(bundle)
        return bundle
