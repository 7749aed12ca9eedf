"""Valid test ID numbers, computed here (GB 11643-1999) rather than by the code under test."""

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def make_id(region: str, birth: str, sequence: str) -> str:
    body = f"{region}{birth}{sequence}"
    assert len(body) == 17
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
