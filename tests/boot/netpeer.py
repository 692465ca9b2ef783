"""A network peer outside the machine, for boot tests.

QEMU's NIC is joined to this peer by a unix socket (tools/hvrun --net or
--net-extra): `dgram:LOCAL:REMOTE` (one frame per datagram; QEMU binds LOCAL
and sends to REMOTE, which the peer binds) or `stream:PATH` (the peer
listens, QEMU connects; each frame is preceded by its length as a 4-byte
big-endian number, QEMU's stream netdev framing). The peer runs in a thread
of the pytest process and:

- has its own MAC and IPv4 address (PEER_MAC, PEER_IP by default);
- answers ARP requests for its address, ICMP echo requests to it and UDP
  datagrams to its echo port (7) with the same data;
- sends ARP requests, pings and UDP datagrams (single or a stream whose
  payload starts with a 32-bit big-endian sequence number) to the guest;
- records every frame it receives, parsed (Frame): time, MACs, EtherType,
  ARP fields, IP addresses, ICMP id/seq, UDP ports and payload, and whether
  the guest's checksums were right.

So a test can assert "frames came from MAC X, then from MAC Y" or "sequence
numbers 1..N all seen, gaps [...]" (seq_report) when counting the loss of a
data path switch. read_pcap() reads the files of QEMU's filter-dump (--pcap).

In a boot test (socket paths must stay under 108 bytes: use a short
directory such as tempfile.mkdtemp(prefix="hvnet-"), not tmp_path):

    with NetPeer.dgram(sockdir) as peer:
        m = machine(net=peer.netdev)          # or net_extra=[peer.netdev]
        peer.wait_for(lambda f: f.arp_op == ARP_REQUEST, timeout=60)
        peer.send_ping("10.0.2.15", ident=1, seq=1)
        report = seq_report(peer.udp_seqs(dport=9000), 1, 1000)

Nothing here needs QEMU: tests/boot/test_netpeer_selftest.py drives it over
socket pairs.
"""
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

PEER_MAC = "52:54:00:aa:bb:cc"
PEER_IP = "10.0.2.2"
ECHO_PORT = 7

ETH_P_IPV4 = 0x0800
ETH_P_ARP = 0x0806
ETH_ZLEN = 60
IPPROTO_ICMP = 1
IPPROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8
ARP_REQUEST = 1
ARP_REPLY = 2
BROADCAST = "ff:ff:ff:ff:ff:ff"


# --- addresses ---------------------------------------------------------------

def mac_bytes(text):
    b = bytes(int(x, 16) for x in text.split(":"))
    if len(b) != 6:
        raise ValueError("not a MAC address: %r" % text)
    return b


def mac_str(raw):
    return ":".join("%02x" % x for x in raw)


def ip_bytes(text):
    return socket.inet_aton(text)


def ip_str(raw):
    return socket.inet_ntoa(raw)


# --- building frames ---------------------------------------------------------

def checksum(data):
    """The Internet checksum (RFC 1071) of data, as the 16-bit value to store."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def eth(dst, src, ethertype, payload, pad=True):
    frame = mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", ethertype) + payload
    return frame.ljust(ETH_ZLEN, b"\0") if pad else frame


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IPV4, 6, 4, op, mac_bytes(sha),
                       ip_bytes(spa), mac_bytes(tha), ip_bytes(tpa))


def ipv4(src, dst, proto, payload, ttl=64, ident=0, flags_frag=0):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag, ttl,
                         proto, 0, ip_bytes(src), ip_bytes(dst))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def icmp_echo(icmp_type, ident, seq, data=b""):
    msg = struct.pack("!BBHHH", icmp_type, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def udp(src, dst, sport, dport, data):
    length = 8 + len(data)
    pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, IPPROTO_UDP, length)
    msg = struct.pack("!HHHH", sport, dport, length, 0) + data
    csum = checksum(pseudo + msg) or 0xFFFF  # 0 would mean "no checksum"
    return msg[:6] + struct.pack("!H", csum) + msg[8:]


# --- parsing frames ----------------------------------------------------------

@dataclass
class Frame:
    """One received frame, parsed as far as it is well-formed (else None fields)."""
    time: float
    raw: bytes
    dst: str = None
    src: str = None
    ethertype: int = None
    arp_op: int = None
    arp_sha: str = None
    arp_spa: str = None
    arp_tpa: str = None
    ip_src: str = None
    ip_dst: str = None
    ip_proto: int = None
    ip_ttl: int = None
    ip_csum_ok: bool = None
    icmp_type: int = None
    icmp_id: int = None
    icmp_seq: int = None
    icmp_data: bytes = None
    sport: int = None
    dport: int = None
    udp_payload: bytes = None
    l4_csum_ok: bool = None     # ICMP or UDP checksum right (UDP checksum 0: None)
    notes: list = field(default_factory=list)  # what was malformed

    @property
    def seq(self):
        """The 32-bit big-endian sequence number at the start of a UDP payload, or None."""
        if self.udp_payload is None or len(self.udp_payload) < 4:
            return None
        return struct.unpack_from("!I", self.udp_payload)[0]


def _parse_arp(f, p):
    if len(p) < 28:
        f.notes.append("arp short")
        return
    htype, ptype, hlen, plen, op, sha, spa, _, tpa = struct.unpack_from("!HHBBH6s4s6s4s", p)
    if (htype, ptype, hlen, plen) != (1, ETH_P_IPV4, 6, 4):
        f.notes.append("arp format")
        return
    f.arp_op, f.arp_sha, f.arp_spa, f.arp_tpa = op, mac_str(sha), ip_str(spa), ip_str(tpa)


def _parse_icmp(f, p):
    if len(p) < 8:
        f.notes.append("icmp short")
        return
    f.icmp_type, _, _, f.icmp_id, f.icmp_seq = struct.unpack_from("!BBHHH", p)
    f.icmp_data = p[8:]
    f.l4_csum_ok = checksum(p) == 0


def _parse_udp(f, p):
    if len(p) < 8:
        f.notes.append("udp short")
        return
    f.sport, f.dport, length, csum = struct.unpack_from("!HHHH", p)
    if length < 8 or length > len(p):
        f.notes.append("udp length")
        return
    f.udp_payload = p[8:length]
    if csum:
        pseudo = (ip_bytes(f.ip_src) + ip_bytes(f.ip_dst) +
                  struct.pack("!BBH", 0, IPPROTO_UDP, length))
        f.l4_csum_ok = checksum(pseudo + p[:length]) == 0


def _parse_ipv4(f, p):
    if len(p) < 20 or p[0] >> 4 != 4:
        f.notes.append("ip header")
        return
    ihl = (p[0] & 0xF) * 4
    total = struct.unpack_from("!H", p, 2)[0]
    if ihl < 20 or ihl > len(p) or total < ihl or total > len(p):
        f.notes.append("ip length")
        return
    f.ip_ttl, f.ip_proto = p[8], p[9]
    f.ip_src, f.ip_dst = ip_str(p[12:16]), ip_str(p[16:20])
    f.ip_csum_ok = checksum(p[:ihl]) == 0
    if struct.unpack_from("!H", p, 6)[0] & 0x3FFF:
        f.notes.append("ip fragment")
        return
    body = p[ihl:total]
    if f.ip_proto == IPPROTO_ICMP:
        _parse_icmp(f, body)
    elif f.ip_proto == IPPROTO_UDP:
        _parse_udp(f, body)


def parse_frame(raw, t=None):
    """A Frame for raw bytes; never raises on malformed input (see Frame.notes)."""
    f = Frame(time.monotonic() if t is None else t, bytes(raw))
    if len(raw) < 14:
        f.notes.append("eth short")
        return f
    f.dst, f.src = mac_str(raw[0:6]), mac_str(raw[6:12])
    f.ethertype = struct.unpack_from("!H", raw, 12)[0]
    if f.ethertype == ETH_P_ARP:
        _parse_arp(f, raw[14:])
    elif f.ethertype == ETH_P_IPV4:
        _parse_ipv4(f, raw[14:])
    return f


# --- sequence numbers --------------------------------------------------------

@dataclass
class SeqReport:
    """What a stream of sequence numbers says about loss and order."""
    received: int
    missing: list        # expected numbers never seen, ascending
    gaps: list           # the missing numbers as (first, last) runs
    duplicates: list     # numbers seen more than once
    reordered: int       # arrivals lower than one seen before them

    @property
    def lost(self):
        return len(self.missing)


def seq_report(seqs, first, last):
    """Checks seqs (in arrival order) against the expected first..last (inclusive)."""
    seen, dups, reordered, highest = set(), [], 0, None
    for s in seqs:
        if s in seen:
            dups.append(s)
        elif highest is not None and s < highest:
            reordered += 1
        seen.add(s)
        highest = s if highest is None else max(highest, s)
    missing = [s for s in range(first, last + 1) if s not in seen]
    gaps = []
    for s in missing:
        if gaps and gaps[-1][1] == s - 1:
            gaps[-1] = (gaps[-1][0], s)
        else:
            gaps.append((s, s))
    return SeqReport(len(seqs), missing, gaps, dups, reordered)


# --- pcap ----------------------------------------------------------------------

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}


def read_pcap(path):
    """[(time, bytes)] of a classic pcap file (QEMU's filter-dump writes these).

    Both byte orders and the nanosecond variant are read; a record cut short
    at the end (QEMU killed mid-write) is left out. Raises ValueError for a
    file that is not pcap.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < 24 or data[:4] not in _PCAP_MAGICS:
        raise ValueError("%s: not a pcap file" % path)
    order, unit = _PCAP_MAGICS[data[:4]]
    records, at = [], 24
    while at + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(order + "IIII", data, at)
        if at + 16 + incl > len(data):
            break
        records.append((sec + frac * unit, data[at + 16:at + 16 + incl]))
        at += 16 + incl
    return records


def write_pcap(path, frames):
    """Writes frames ([(time, bytes)] or [bytes]) as a little-endian pcap (for tests)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for item in frames:
        t, raw = item if isinstance(item, tuple) else (0.0, item)
        sec = int(t)
        out.append(struct.pack("<IIII", sec, int(round((t - sec) * 1e6)), len(raw), len(raw)))
        out.append(raw)
    with open(path, "wb") as fh:
        fh.write(b"".join(out))


# --- the peer --------------------------------------------------------------------

class _Dgram:
    """One frame per datagram; sends to QEMU's bound path, or on a connected pair."""

    def __init__(self, sock, remote):
        self.sock, self.remote = sock, remote

    def recv(self):
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None

    def send(self, frame):
        if self.remote is None:
            self.sock.send(frame)
        else:
            self.sock.sendto(frame, self.remote)


class _Stream:
    """QEMU's stream netdev: a 4-byte big-endian length, then the frame."""

    def __init__(self, sock=None, listener=None):
        self.sock, self.listener, self.buf = sock, listener, b""
        self._send_lock = threading.Lock()

    def _connected(self):
        if self.sock is None and self.listener is not None:
            try:
                self.sock, _ = self.listener.accept()
                self.sock.settimeout(self.listener.gettimeout())
            except socket.timeout:
                return False
        return self.sock is not None

    def recv(self):
        if not self._connected():
            return None
        while len(self.buf) < 4 or len(self.buf) < 4 + struct.unpack_from("!I", self.buf)[0]:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise EOFError("stream peer closed")
            self.buf += chunk
        n = struct.unpack_from("!I", self.buf)[0]
        frame, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return frame

    def send(self, frame):
        if self.sock is None:
            raise OSError("no stream connection yet")
        with self._send_lock:
            self.sock.sendall(struct.pack("!I", len(frame)) + frame)


class NetPeer:
    """The host on the other end of a NIC; use as a context manager or start()/close().

    Construct with NetPeer.dgram(dir) or NetPeer.stream(dir) for QEMU (pass
    peer.netdev to hvrun's --net), or NetPeer(transport=...) over a socket
    pair in tests.
    """

    def __init__(self, sock=None, remote=None, mac=PEER_MAC, ip=PEER_IP, echo_port=ECHO_PORT,
                 transport=None, netdev=None, paths=()):
        self.mac, self.ip, self.echo_port = mac, ip, echo_port
        self.netdev = netdev
        self._paths = list(paths)
        self._io = transport or _Dgram(sock, remote)
        self._sockets = [s for s in (sock,) if s is not None]
        if sock is not None:
            sock.settimeout(0.1)  # the thread checks for close() between frames
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = None
        self.frames = []          # every Frame received, in order
        self.sent = []            # every frame sent (bytes), in order
        self.neighbours = {}      # IP -> MAC, learned from ARP and IP frames
        self.answered = {"arp": 0, "icmp": 0, "udp": 0}
        self.send_errors = 0
        self.error = None         # an exception that stopped the thread

    # Construction for QEMU.
    @classmethod
    def dgram(cls, directory, **kw):
        """Binds DIR/peer.sock; QEMU binds DIR/qemu.sock (netdev "dgram:qemu:peer")."""
        local, remote = os.path.join(directory, "qemu.sock"), os.path.join(directory, "peer.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(remote)
        sock.settimeout(0.1)
        return cls(sock, local, netdev="dgram:%s:%s" % (local, remote), paths=(local, remote),
                   **kw)

    @classmethod
    def stream(cls, directory, **kw):
        """Listens on DIR/peer.sock; QEMU connects (netdev "stream:DIR/peer.sock")."""
        path = os.path.join(directory, "peer.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        listener.settimeout(0.1)
        peer = cls(transport=_Stream(listener=listener), netdev="stream:" + path,
                   paths=(path,), **kw)
        peer._sockets.append(listener)
        return peer

    # Lifecycle.
    def start(self):
        self._thread = threading.Thread(target=self._run, name="netpeer", daemon=True)
        self._thread.start()
        return self

    def close(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        for s in self._sockets + [getattr(self._io, "sock", None)]:
            if s is not None:
                s.close()
        for p in self._paths:
            if os.path.exists(p):
                os.unlink(p)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _run(self):
        try:
            while not self._stop.is_set():
                raw = self._io.recv()
                if raw is not None:
                    self._receive(raw)
        except (OSError, EOFError) as e:
            if not self._stop.is_set():
                self.error = e
        with self._lock:
            self._lock.notify_all()

    def _receive(self, raw):
        f = parse_frame(raw)
        with self._lock:
            self.frames.append(f)
            self._learn(f)
            self._lock.notify_all()
        self._answer(f)

    def _learn(self, f):
        if f.arp_spa and f.arp_spa != "0.0.0.0" and f.arp_sha:
            self.neighbours[f.arp_spa] = f.arp_sha
        elif f.ip_src and f.ip_dst == self.ip and f.src:
            self.neighbours[f.ip_src] = f.src

    # Answers.
    def _answer(self, f):
        if f.dst not in (self.mac, BROADCAST):
            return
        if f.arp_op == ARP_REQUEST and f.arp_tpa == self.ip and f.arp_spa != f.arp_tpa:
            self.answered["arp"] += 1
            self.send_raw(eth(f.src, self.mac, ETH_P_ARP,
                              arp(ARP_REPLY, self.mac, self.ip, f.arp_sha, f.arp_spa)))
        elif f.ip_dst != self.ip or not f.ip_csum_ok or f.l4_csum_ok is False:
            return
        elif f.icmp_type == ICMP_ECHO_REQUEST:
            self.answered["icmp"] += 1
            msg = icmp_echo(ICMP_ECHO_REPLY, f.icmp_id, f.icmp_seq, f.icmp_data)
            self.send_raw(eth(f.src, self.mac, ETH_P_IPV4,
                              ipv4(self.ip, f.ip_src, IPPROTO_ICMP, msg)))
        elif f.udp_payload is not None and f.dport == self.echo_port:
            self.answered["udp"] += 1
            msg = udp(self.ip, f.ip_src, f.dport, f.sport, f.udp_payload)
            self.send_raw(eth(f.src, self.mac, ETH_P_IPV4,
                              ipv4(self.ip, f.ip_src, IPPROTO_UDP, msg)))

    # Sending.
    def send_raw(self, frame):
        """Sends one frame; False (and counted in send_errors) if the other end isn't there."""
        try:
            self._io.send(frame)
        except OSError:
            self.send_errors += 1
            return False
        with self._lock:
            self.sent.append(frame)
        return True

    def send_arp_request(self, ip, gratuitous=False):
        target = self.ip if gratuitous else ip
        return self.send_raw(eth(BROADCAST, self.mac, ETH_P_ARP,
                                 arp(ARP_REQUEST, self.mac, self.ip, "00:00:00:00:00:00",
                                     target)))

    def resolve(self, ip, timeout=10.0):
        """The MAC of ip: learned already, or asked for (once a second) until timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if ip in self.neighbours:
                    return self.neighbours[ip]
            if time.monotonic() >= deadline:
                raise TimeoutError("no ARP answer from %s" % ip)
            self.send_arp_request(ip)
            with self._lock:
                self._lock.wait_for(lambda: ip in self.neighbours,
                                    timeout=min(1.0, max(0.0, deadline - time.monotonic())))

    def _dst_mac(self, ip, mac):
        return mac or self.resolve(ip)

    def send_ping(self, ip, ident, seq, data=b"", mac=None):
        msg = icmp_echo(ICMP_ECHO_REQUEST, ident, seq, data)
        return self.send_raw(eth(self._dst_mac(ip, mac), self.mac, ETH_P_IPV4,
                                 ipv4(self.ip, ip, IPPROTO_ICMP, msg)))

    def send_udp(self, ip, sport, dport, data, mac=None):
        msg = udp(self.ip, ip, sport, dport, data)
        return self.send_raw(eth(self._dst_mac(ip, mac), self.mac, ETH_P_IPV4,
                                 ipv4(self.ip, ip, IPPROTO_UDP, msg)))

    def send_udp_stream(self, ip, sport, dport, first, count, interval=0.0, size=32, mac=None):
        """count datagrams with sequence numbers first.. (payload: seq then padding)."""
        mac = self._dst_mac(ip, mac)
        ok = 0
        for seq in range(first, first + count):
            ok += self.send_udp(ip, sport, dport, struct.pack("!I", seq).ljust(size, b"\0"), mac)
            if interval:
                time.sleep(interval)
        return ok

    # What was received.
    def received(self, pred=None):
        with self._lock:
            return [f for f in self.frames if pred is None or pred(f)]

    def frames_from(self, mac):
        return self.received(lambda f: f.src == mac)

    def wait_for(self, pred, timeout=10.0, since=0):
        """The first frame (index >= since) with pred(frame), waiting up to timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for f in self.frames[since:]:
                    if pred(f):
                        return f
                left = deadline - time.monotonic()
                if left <= 0 or self.error:
                    raise TimeoutError("no matching frame in %.1fs (%d received)"
                                       % (timeout, len(self.frames)))
                self._lock.wait(timeout=left)

    def udp_seqs(self, dport=None, src=None):
        """Sequence numbers of the UDP frames received (to dport, from MAC src), in order."""
        return [f.seq for f in self.received(
            lambda f: f.seq is not None and (dport is None or f.dport == dport)
            and (src is None or f.src == src))]

    def icmp_seqs(self, icmp_type=ICMP_ECHO_REPLY, ident=None):
        return [f.icmp_seq for f in self.received(
            lambda f: f.icmp_type == icmp_type and (ident is None or f.icmp_id == ident))]
