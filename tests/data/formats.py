"""Writers of tiny dataset folders in each published format, for the loader tests.

Each writer puts a handful of rows in the exact layout (file names, separators, headers,
encodings) of the real release, so a loader test runs in milliseconds and needs no download.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

#: (user, item, rating, timestamp) rows shared by the MovieLens writers.
ML_ROWS: list[tuple[int, int, float, int]] = [
    (1, 10, 4.0, 100),
    (1, 20, 3.0, 200),
    (2, 10, 5.0, 150),
    (3, 30, 1.0, 300),
    (3, 20, 2.0, 50),
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def movielens_100k(root: Path) -> Path:
    folder = root / "ml-100k"
    write(folder / "u.data", "".join(f"{u}\t{i}\t{int(r)}\t{t}\n" for u, i, r, t in ML_ROWS))
    write(folder / "u.genre", "unknown|0\nAction|1\nComedy|2\n\n")
    items = [
        "10|Heat (1995)|01-Jan-1995||http://x|0|1|0",
        "20|Amélie (2001)|||http://y|0|0|1",
        "30|Alien (1979)|||http://z|0|1|1",
    ]
    write(folder / "u.item", "\n".join(items) + "\n", encoding="latin-1")
    write(folder / "u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n")
    return root


def movielens_1m(root: Path) -> Path:
    folder = root / "ml-1m"
    write(folder / "ratings.dat", "".join(f"{u}::{i}::{int(r)}::{t}\n" for u, i, r, t in ML_ROWS))
    write(
        folder / "movies.dat",
        "10::Heat (1995)::Action|Crime\n20::Amélie (2001)::Comedy\n"
        "30::Alien (1979)::Horror|Sci-Fi\n",
        encoding="latin-1",
    )
    write(folder / "users.dat", "1::M::25::15::85711\n2::F::50::0::94043\n3::M::18::20::32067\n")
    return root


def movielens_csv(root: Path) -> Path:
    folder = root / "ml-latest-small"
    rows = "".join(f"{u},{i},{r},{t}\n" for u, i, r, t in ML_ROWS)
    write(folder / "ratings.csv", "userId,movieId,rating,timestamp\n" + rows)
    write(
        folder / "movies.csv",
        "movieId,title,genres\n10,Heat (1995),Action|Crime\n"
        '20,"Amélie, Le Fabuleux (2001)",Comedy\n30,Alien (1979),(no genres listed)\n',
    )
    return root


OBD_ROWS: list[tuple[str, int, int, int, float, str]] = [
    # timestamp, item, position, click, propensity, user profile
    ("2019-11-24 00:00:01.5+00:00", 0, 1, 0, 0.5, "a"),
    ("2019-11-24 00:00:01.5+00:00", 1, 2, 1, 0.5, "a"),
    ("2019-11-24 00:00:01.5+00:00", 1, 2, 1, 0.5, "a"),  # a repeated impression is kept
    ("2019-11-25 12:00:00+00:00", 0, 3, 0, 0.25, "b"),
]


def open_bandit(root: Path, policy: str = "random", campaign: str = "all") -> Path:
    folder = root / "obd" / policy / campaign
    header = (
        ",timestamp,item_id,position,click,propensity_score,"
        + ",".join(f"user_feature_{k}" for k in range(4))
        + ",user-item_affinity_0,user-item_affinity_1\n"
    )
    lines = [
        f"{n},{ts},{item},{pos},{click},{p},{u}0,{u}1,{u}2,{u}3,0.0,1.0\n"
        for n, (ts, item, pos, click, p, u) in enumerate(OBD_ROWS)
    ]
    write(folder / f"{campaign}.csv", header + "".join(lines))
    write(
        folder / "item_context.csv",
        ",item_id,item_feature_0,item_feature_1\n0,0,-0.5,hashA\n1,1,0.25,hashB\n",
    )
    return root


def kuairec(root: Path) -> Path:
    folder = root / "KuaiRec 2.0" / "data"
    header = "user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio\n"
    small = [
        "14,148,4381,6067,2020-07-05 05:27:48.378,20200705.0,1593898068.378,0.722\n",
        "14,183,11635,6100,2020-07-05 05:28:00.057,20200705.0,1593898080.057,1.907\n",
        "19,148,3649,6067,,,,0.601\n",  # a row without a time
        "21,183,6100,6100,2020-07-06 10:00:00.000,20200706.0,1594029600.0,1.0\n",
    ]
    write(folder / "small_matrix.csv", header + "".join(small))
    write(folder / "big_matrix.csv", header + small[0] + small[3])
    write(folder / "item_categories.csv", 'video_id,feat\n148,"[8]"\n183,"[27, 9]"\n')
    write(
        folder / "user_features.csv",
        "user_id,user_active_degree,is_lowactive_period\n"
        "14,high_active,0\n19,full_active,0\n21,middle_active,1\n",
    )
    return root


KUAIRAND_HEADER = (
    "user_id,video_id,date,hourmin,time_ms,is_click,is_like,is_follow,is_comment,is_forward,"
    "is_hate,long_view,play_time_ms,duration_ms,profile_stay_time,comment_stay_time,"
    "is_profile_enter,is_rand,tab\n"
)


def kuairand_pure(root: Path) -> Path:
    folder = root / "KuaiRand-Pure" / "data"

    def rows(*entries: tuple[int, int, int, int]) -> str:
        return "".join(
            f"{u},{v},20220408,1000,{t},{c},0,0,0,0,0,{c},5000,10000,0,0,0,0,1\n"
            for u, v, t, c in entries
        )

    write(
        folder / "log_standard_4_08_to_4_21_pure.csv",
        KUAIRAND_HEADER + rows((0, 5, 1649412000000, 1), (1, 6, 1649412001500, 0)),
    )
    write(
        folder / "log_standard_4_22_to_5_08_pure.csv",
        KUAIRAND_HEADER + rows((0, 6, 1650600000000, 0)),
    )
    write(
        folder / "log_random_4_22_to_5_08_pure.csv",
        KUAIRAND_HEADER + rows((1, 7, 1650600002000, 1)),
    )
    write(
        folder / "user_features_pure.csv",
        "user_id,user_active_degree\n0,high_active\n1,full_active\n",
    )
    write(
        folder / "video_features_basic_pure.csv",
        'video_id,author_id,video_type,tag\n5,100,NORMAL,"4,28"\n6,101,AD,\n7,102,NORMAL,9\n',
    )
    return root


def coat(root: Path, train: np.ndarray, test: np.ndarray, propensities: np.ndarray) -> Path:
    folder = root / "coat"
    for name, matrix, fmt in (
        ("train", train, "%d"),
        ("test", test, "%d"),
        ("propensities", propensities, "%.6e"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        np.savetxt(folder / f"{name}.ascii", matrix, fmt=fmt)
    features = folder / "user_item_features"
    features.mkdir()
    np.savetxt(features / "user_features.ascii", np.eye(train.shape[0], 2, dtype=int), fmt="%d")
    np.savetxt(features / "item_features.ascii", np.eye(train.shape[1], 3, dtype=int), fmt="%d")
    write(features / "user_features_map.txt", "gender:men\ngender:women")
    write(features / "item_features_map.txt", "color:black\ncolor:red\njackettype:bomber\n")
    return root


def lastfm(root: Path) -> Path:
    folder = root / "hetrec2011-lastfm-2k"
    pairs = "userID\tartistID\tweight\r\n2\t51\t13883\r\n2\t52\t11690\r\n3\t51\t7\r\n"
    write(folder / "user_artists.dat", pairs)
    write(
        folder / "artists.dat",
        'id\tname\turl\tpictureURL\n51\tDuran "Duran"\thttp://a\thttp://p\n'
        "52\tMorcheeba\thttp://b\thttp://q\n",
    )
    return root


AMAZON_REVIEWS: list[dict[str, object]] = [
    {
        "reviewerID": "A1",
        "asin": "B01",
        "overall": 5.0,
        "unixReviewTime": 1393545600,
        "reviewText": "fine",
        "helpful": [0, 0],
    },
    {"reviewerID": "A2", "asin": "B01", "overall": 3.0, "unixReviewTime": 1363392000},
    {"reviewerID": "A1", "asin": "B02", "overall": 4.0, "unixReviewTime": 1377648000},
]


def amazon_lines(reviews: list[dict[str, object]] = AMAZON_REVIEWS) -> str:
    return "".join(json.dumps(r) + "\n" for r in reviews)


def amazon(root: Path, name: str = "Musical_Instruments.json", text: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    body = amazon_lines() if text is None else text
    if name.endswith(".gz"):
        with gzip.open(root / name, "wt", encoding="utf-8") as handle:
            handle.write(body)
    else:
        write(root / name, body)
    return root
