"""cascade.fetch downloads from a mirror (a loopback server started here: the real host is
never contacted), checks each file against its .CHECKSUM, and refuses a corrupt one."""

import functools
import hashlib
import http.server
import threading
import zipfile

import pytest

import cascade

PATH = "data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip"


@pytest.fixture
def mirror(tmp_path, root):
    served = tmp_path / "mirror"
    zpath = served / PATH
    zpath.parent.mkdir(parents=True)
    with zipfile.ZipFile(zpath, "w") as z:
        z.write(root / "fixtures/sample/BTCUSDT-1m-2025-10-10.csv", "BTCUSDT-1m-2025-10-10.csv")
    sha = hashlib.sha256(zpath.read_bytes()).hexdigest()
    (served / (PATH + ".CHECKSUM")).write_text(f"{sha}  {zpath.name}\n")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetch_downloads_checks_and_imports(mirror, tmp_path):
    served, url = mirror
    cache = tmp_path / "cache"
    urls = cascade.fetch(symbols=["BTCUSDT"], types=["klines"], from_="2025-10-10", cache=cache, mirror=url)
    assert urls == [f"{url}/{PATH}"]
    got = cache / PATH
    assert got.read_bytes() == (served / PATH).read_bytes()
    assert (cache / (PATH + ".sha256")).is_file()
    summary = cascade.import_files(got, tmp_path / "k.clog")
    assert "events:       180" in summary


def test_fetch_refuses_a_corrupt_file(mirror, tmp_path):
    served, url = mirror
    (served / (PATH + ".CHECKSUM")).write_text("0" * 64 + "  BTCUSDT-1m-2025-10-10.zip\n")
    cache = tmp_path / "cache"
    with pytest.raises(cascade.CascadeError, match="could not be fetched"):
        cascade.fetch(symbols=["BTCUSDT"], types=["klines"], from_="2025-10-10", cache=cache, mirror=url)
    assert not (cache / PATH).exists()
