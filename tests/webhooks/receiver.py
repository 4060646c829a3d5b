"""A real HTTPS receiver on localhost that verifies each delivery with `standardwebhooks`."""

import contextlib
import datetime
import ipaddress
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook, WebhookVerificationError


def write_certificate(directory) -> tuple[str, str]:
    """A self-signed certificate for localhost and 127.0.0.1: (certificate path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "receiver.pem", directory / "receiver.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


class Receiver:
    """Answers `status` (200 by default; 503 while "down"; 302 to test redirects) and keeps
    each verified payload; a delivery that fails verification is kept in `refused`."""

    def __init__(self, cert_path: str, key_path: str):
        self.status = 200
        self.secret: str | None = None
        self.received: list[dict] = []
        self.message_ids: list[str] = []
        self.refused: list[str] = []
        self.paths: list[str] = []
        self.connections = 0
        self.hang_up = False  # close each connection after its answer, unannounced
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the sender uses it

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                with receiver.lock:
                    receiver.paths.append(self.path)
                    status = receiver.status
                    if status == 200:
                        try:
                            payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                        except WebhookVerificationError as error:
                            receiver.refused.append(str(error))
                            status = 400
                        else:
                            receiver.received.append(payload)
                            receiver.message_ids.append(self.headers["webhook-id"])
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", f"{receiver.url}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                if receiver.hang_up:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}"

    def types(self) -> list[str]:
        return [payload["type"] for payload in self.received]


@contextlib.contextmanager
def running_receiver(cert_path: str, key_path: str):
    receiver = Receiver(cert_path, key_path)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join()


def serve(certificate: tuple[str, str], secret: str, commands) -> None:
    """A receiver in a process of its own (the benchmark's): sends its URL on `commands`,
    and on any message back its (received and verified, distinct webhook-ids, refused)."""
    with running_receiver(*certificate) as receiver:
        receiver.secret = secret
        commands.send(receiver.url)
        commands.recv()
        commands.send(
            (len(receiver.received), len(set(receiver.message_ids)), len(receiver.refused))
        )
