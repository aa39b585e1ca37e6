# For T leaves: the most dyadic nodes [m 2^h, (m+1) 2^h) one leaf lies in, over the nodes that
# online tree aggregation releases (fully inside [0, T)) and, with tree completion, over every
# node of the complete tree on 2^ceil(log2 T) leaves. Counted by enumeration.
import json
def nodes(T, completion):
    width = 1
    while width < T: width *= 2
    limit = width if completion else T
    best = 0
    for leaf in range(T):
        cnt, h = 0, 1
        while h <= limit:
            start = (leaf // h) * h
            if start + h <= limit: cnt += 1
            h *= 2
        best = max(best, cnt)
    return best
rows = [{"steps": T, "nodes": nodes(T, False), "nodes_completed": nodes(T, True)} for T in list(range(1, 70)) + [100, 1000, 1023, 1024, 1025, 2000]]
print(json.dumps(rows))
