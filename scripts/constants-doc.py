#!/usr/bin/env python3
"""Writes docs/constants.md: every integer constant CPython's socket module
exposes on this Linux machine, and what wasock does with it. The option
paths are read from the sources (the guest's typed table in
guest/src/convert/option.rs, the host's raw allow-list in host/src/wit/rawopt.rs), so
rerun this after changing either: python3 scripts/constants-doc.py"""
import re
import socket
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
convert = (root / "guest/src/convert/option.rs").read_text()
rawopt = (root / "host/src/wit/rawopt.rs").read_text()
guarded = re.findall(r'"([A-Z_0-9]+)",', (root / "host/src/policy/grants.rs").read_text().split("GUARDED_OPTIONS")[1].split("];")[0])

levels = {"SOL_SOCKET": 1, "SOL_IP_": 0, "SOL_TCP_": 6, "SOL_UDP_": 17, "SOL_IPV6_": 41}
typed = {}
for lvl, opt, name in re.findall(r"\((SOL_SOCKET|SOL_IP_|SOL_TCP_|SOL_UDP_|SOL_IPV6_), (\d+), O::(\w+), \w+\)", convert):
    typed[(levels[lvl], int(opt))] = name
rlevels = dict(re.findall(r"const (\w+): i32 = (\d+);", rawopt))
raw = {}
flat = re.sub(r"\(\s*\n\s*", "(", re.sub(r",\n\s+(?=[\w\"])", ", ", rawopt))
flat = re.sub(r",\s*\n\s*\),", "),", flat)
for lvl, opt, name, rule in re.findall(r'\((\w+), (\d+), "(\w+)", ([^\n]*?)\),\n', flat):
    raw[(int(rlevels[lvl]), int(opt))] = (name, rule)

def option_level(n):
    if n.startswith("SO_VM_"):
        return 40
    if n.startswith("SO_J1939_"):
        return 107
    for p, l in (("SO_", 1), ("IPV6_", 41), ("IP_", 0), ("TCP_", 6), ("UDPLITE_", 136), ("UDP_", 17),
                 ("CAN_RAW_", 101), ("TIPC_", 271)):
        if n.startswith(p):
            return l
    if n in ("ALG_SET_KEY", "ALG_SET_AEAD_AUTHSIZE", "ALG_SET_PUBKEY"):
        return 279
    return None

not_options = {"IP_DEFAULT_MULTICAST_LOOP", "IP_DEFAULT_MULTICAST_TTL", "IP_MAX_MEMBERSHIPS",
               "IPV6_RTHDR_TYPE_0", "TIPC_ADDR_ID", "TIPC_ADDR_NAME", "TIPC_ADDR_NAMESEQ", "TIPC_CFG_SRV",
               "TIPC_CLUSTER_SCOPE", "TIPC_CRITICAL_IMPORTANCE", "TIPC_HIGH_IMPORTANCE", "TIPC_LOW_IMPORTANCE",
               "TIPC_MEDIUM_IMPORTANCE", "TIPC_NODE_SCOPE", "TIPC_PUBLISHED", "TIPC_SUBSCR_TIMEOUT",
               "TIPC_SUB_CANCEL", "TIPC_SUB_PORTS", "TIPC_SUB_SERVICE", "TIPC_TOP_SRV", "TIPC_WAIT_FOREVER",
               "TIPC_WITHDRAWN", "TIPC_ZONE_SCOPE", "SO_VM_SOCKETS_BUFFER_SIZE_"}

def describe(rule):
    if rule.startswith("Refused"):
        why = {"PTR": "carries a pointer or descriptor", "CAP": "needs a privilege the host would lend",
               "ROUTE": "changes routing past the policy", "FD": "creates descriptors in the host"}
        return "raw path, read only; setting refused (" + why.get(rule[8:-1], rule[9:-2]) + ")"
    if rule.startswith("Guarded"):
        return "raw path — guarded: granted with `--allow-option " + re.search(r'"(\w+)"', rule).group(1) + "`"
    if rule.startswith("Join"):
        return "raw path — the policy's `join` rules decide the group"
    if rule == "ReadOnly":
        return "raw path, read only"
    if rule.startswith("Var"):
        return "raw path (allow-listed; variable length, at most " + rule[4:-1] + " bytes)"
    return "raw path (allow-listed; longer values cut to the structure's size, as the kernel reads)"


def option_row(n, v):
    lvl = option_level(n)
    if lvl is None or n in not_options:
        return None
    if (lvl, v) in typed:
        name = typed[(lvl, v)]
        key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("IPV6V6", "IPV6_V6")
        g = " — guarded: needs `--allow-option " + key + "`" if key in guarded else ""
        if key == "SO_REUSEADDR":
            g += " on datagram and raw sockets only (where it shares a port)"
        return f"typed option `{name}` (`options.set-option`/`get-option`){g}"
    if (lvl, v) in raw:
        return describe(raw[(lvl, v)][1])
    return "not on the allow-list: ENOPROTOOPT (as the kernel answers an unknown option)"

def row(n, v):
    if n.startswith("AF_") or n.startswith("PF_"):
        if n in ("AF_INET", "AF_INET6", "AF_UNIX"):
            return "family, always available (addresses under the policy's rules)"
        if n == "AF_UNSPEC":
            return "name-resolution hint"
        return "family, off unless granted by name (`--allow-family`); the kernel's errno (97) where it lacks it"
    if n.startswith("SOCK_"):
        return "socket type / flag" + (" (raw IP: `--allow-raw PROTO`)" if n == "SOCK_RAW" else "")
    if n.startswith("MSG_"):
        return "send/recv flag (`msg-flags`)"
    if n.startswith(("AI_", "NI_", "EAI_")):
        return "name resolution (`netdb`)"
    if n.startswith("SCM_"):
        return "control message type (`ancillary`)"
    if n.startswith("IPPROTO_"):
        return "protocol number (socket(2) passes any to the kernel)"
    if n.startswith("SOL_"):
        return "option level"
    if n.startswith("SHUT_"):
        return "shutdown how"
    r = option_row(n, v)
    if r:
        return r
    return "value only (exported by the guest crate)"

names = sorted(n for n in dir(socket) if n.isupper() and isinstance(getattr(socket, n), int))
out = ["# Python socket constants on Linux, and what wasock does with each",
       "",
       f"Generated by `scripts/constants-doc.py` from CPython {sys.version.split()[0]} on this machine "
       f"({len(names)} constants) and the option tables in the sources. The guest crate exports every one.",
       "",
       "| constant | value | wasock |", "|---|---|---|"]
for n in names:
    out.append(f"| `{n}` | {getattr(socket, n)} | {row(n, getattr(socket, n))} |")
extra = sorted(set(raw) - {(option_level(n), getattr(socket, n)) for n in names if option_level(n) is not None})
out += ["", "## Linux options CPython does not name (reachable by number)", "",
        "| level | option | name | wasock |", "|---|---|---|---|"]
for (l, o) in extra:
    name, rule = raw[(l, o)]
    out.append(f"| {l} | {o} | `{name}` | {describe(rule)} |")
(root / "docs/constants.md").write_text("\n".join(out) + "\n")
print(f"wrote docs/constants.md ({len(names)} constants, {len(extra)} more options)")
