"""Fetch the datasets by name from their public sources at pinned commits, every file verified: python download.py.

Each set is a folder of a public GitHub repository at the commit ../shared/datasets/README.md names, read as raw
files: BASE_URL/<owner>/<repo>/<commit>/<folder>/<file> (FSRCNN_DOWNLOAD_URL selects a mirror laid out the same way).
Every file is checked against SHA256SUMS below before it is kept:
- T91, General-100, Set5, Set14 and RealSR16 are the source files themselves: the sha256 of their bytes.
- BSD100, Val20 and BSD200 are JPEGs in BSDS500, installed as lossless PNGs of their decoded pixels (the files of
  ../shared/datasets): the sha256 of those pixels (pixel_sha256). The JPEG bytes could not be fetched where the table
  was made, and the pixels are what the evaluation reads; PNG bytes would change with the zlib at hand. Those PNGs
  were decoded by Pillow 13.0.0 (libjpeg-turbo); a decoder giving other pixels shows as a checksum mismatch naming
  both hashes, never as silently different scores.

A set is installed atomically: its files are gathered in <data_dir>/.<set>.partial, each written under a .part name
and renamed once verified, and the folder becomes <data_dir>/<set> when all are there. An interrupted run leaves only
verified files in .<set>.partial, and the next run fetches the rest; a checksum mismatch removes it.
"""
import hashlib
import http.client
import io
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass

from PIL import Image
from tqdm import tqdm

from src.dataset import data_folder
from src.errors import UserError

BASE_URL = os.environ.get("FSRCNN_DOWNLOAD_URL", "https://raw.githubusercontent.com")
TIMEOUT_S = 60


@dataclass(frozen=True)
class Source:
    """A set's files: a folder of a GitHub repository at a commit."""
    repo: str
    commit: str
    folder: str
    from_jpeg: bool = False  # the folder holds JPEGs of the same names, installed as PNGs

    def url(self, name):
        source_name = os.path.splitext(name)[0] + ".jpg" if self.from_jpeg else name
        return f"{BASE_URL}/{self.repo}/{self.commit}/{self.folder}/{source_name}"


_DENOISING = ("majedelhelou/denoising_datasets", "58234876fef6f1b56306705c78dfd40cdb837b86")
_BSDS500 = ("BIDS/BSDS500", "a04b7c6c3a9f0ace74bf205c72a43d32e1c72722")
SOURCES = {
    "T91": Source("tegg89/SRCNN-Tensorflow", "78be1a24697935fc39a3a8cf59a6632264afade7", "Train"),
    "General-100": Source("yippp/FSRCNN", "b82c173a998caf777ab57ea24ef8db1110458a39", "dataset/train/General-100"),
    "Set5": Source(*_DENOISING, "CSet5"),
    "Set14": Source(*_DENOISING, "CSet14"),
    "BSD100": Source(*_BSDS500, "BSDS500/data/images/val", from_jpeg=True),
    "Val20": Source(*_BSDS500, "BSDS500/data/images/test", from_jpeg=True),
    "BSD200": Source(*_BSDS500, "BSDS500/data/images/train", from_jpeg=True),
    "RealSR16": Source("Zheng222/IMDN", "8f158e6a5ac9db6e5857d9159fd4a6c4214da574",
                       "Test_Datasets/RealSR/ValidationGT"),
}


def choose(names, everything=False):
    """The set names asked for, spelled as in SOURCES (any case), each once; none or an unknown one is a UserError."""
    if everything:
        return list(SOURCES)
    if not names:
        raise UserError(f"name the sets to download ({', '.join(SOURCES)}) or pass --all")
    known = {name.lower(): name for name in SOURCES}
    for name in names:
        if name.lower() not in known:
            raise UserError(f"{name}: not a set download.py fetches (it fetches {', '.join(SOURCES)})")
    return list(dict.fromkeys(known[name.lower()] for name in names))


def download(names, data_dir=""):
    """Install each named set in data_folder(data_dir), where eval.py and train.py look, unless it is there."""
    folder = data_folder(data_dir)
    os.makedirs(folder, exist_ok=True)
    for name in names:
        install_set(name, folder)


def install_set(name, folder):
    """Fetch the files of one set that .<name>.partial lacks, then rename it to <name>."""
    expected = FILES[name]
    target = os.path.join(folder, name)
    if os.path.isdir(target):
        missing = [file for file in expected if not os.path.exists(os.path.join(target, file))]
        if missing:
            raise UserError(f"{target} exists but lacks {len(missing)} of the {len(expected)} files of {name} "
                            f"(e.g. {missing[0]}): move it away and run again")
        print(f"{name}: already in {target}")
        return
    staging = os.path.join(folder, f".{name}.partial")
    os.makedirs(staging, exist_ok=True)
    kept = _verified_files(staging, SOURCES[name], expected)
    todo = [file for file in expected if file not in kept]
    try:
        with tqdm(total=len(expected), initial=len(kept), desc=name, unit="file") as bar:
            for file in todo:
                _fetch_file(name, file, expected[file], staging)
                bar.update()
        os.rename(staging, target)
    finally:
        if os.path.isdir(staging) and not os.listdir(staging):
            os.rmdir(staging)
    print(f"{name}: {len(expected)} files in {target} ({len(todo)} downloaded)")


def _verified_files(staging, source, expected):
    """The files an earlier run left in staging that still match the table; everything else there is removed."""
    kept = set()
    for entry in os.listdir(staging):
        path = os.path.join(staging, entry)
        try:
            good = entry in expected and installed_sha256(path, source) == expected[entry]
        except OSError:  # unreadable, or not an image
            good = False
        if good:
            kept.add(entry)
        else:
            os.remove(path)
    return kept


def _fetch_file(name, file, digest, staging):
    """Download one file into staging; a file that does not match the table removes staging (keeps nothing)."""
    source = SOURCES[name]
    url = source.url(file)
    data = fetch(url)
    image = None
    if source.from_jpeg:
        try:
            image = Image.open(io.BytesIO(data))
            got = pixel_sha256(image)
        except OSError as err:
            got = f"none (not an image: {err})"
    else:
        got = hashlib.sha256(data).hexdigest()
    if got != digest:
        shutil.rmtree(staging)
        what = "of its pixels " if source.from_jpeg else ""
        raise UserError(f"{name}/{file}: checksum mismatch, {url} has sha256 {what}{got}, expected {digest}; "
                        f"nothing of {name} was kept")
    part = os.path.join(staging, f"{file}.part")
    try:
        if image is None:
            with open(part, "wb") as f:
                f.write(data)
        else:
            image.save(part, format="PNG")
        os.replace(part, os.path.join(staging, file))
    finally:
        if os.path.exists(part):
            os.remove(part)


def fetch(url):
    """The bytes at url; what keeps them from arriving is a UserError naming the URL and the way without a network."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return response.read()
    except urllib.error.HTTPError as err:  # the host answered, without the file
        problem = f"HTTP {err.code} {err.reason}"
    except (OSError, http.client.HTTPException) as err:  # no network, host unreachable, timeout, reset
        problem = getattr(err, "reason", None) or err
    raise UserError(f"cannot download {url} ({problem}); to work offline, copy the sets from a machine that has them "
                    f"and pass --data_dir <that folder> (or set FSRCNN_DATA_DIR)")


def pixel_sha256(image):
    """sha256 of an image's mode, size and decoded pixels: the same for a JPEG and the lossless PNG made from it."""
    header = f"{image.mode} {image.width}x{image.height}\n".encode()
    return hashlib.sha256(header + image.tobytes()).hexdigest()


def installed_sha256(path, source):
    """The hash the table pins for an installed file: of its pixels for a set made from JPEGs, else of its bytes."""
    if source.from_jpeg:
        with Image.open(path) as image:
            return pixel_sha256(image)
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _parse_sums(text):
    """{set: {file: sha256}} of lines `<sha256>  <set>/<file>`, in the order of the text."""
    files = {}
    for line in text.splitlines():
        digest, path = line.split("  ")
        set_name, file = path.split("/")
        files.setdefault(set_name, {})[file] = digest
    return files


# Made from ../shared/datasets; for BSD100, Val20 and BSD200 the hashes are pixel_sha256 of the images.
SHA256SUMS = """\
bd05fe477d92b3aa241994cf47a5f6d10284d1699032383e5766ad28d6eff71f  T91/t1.bmp
e8fc08afbbb00b9f421da26ad0beac690740876e7539e6060a60c8c6fb89ddcc  T91/t10.bmp
cf814011d1b663bbcf7d27d112934ce14bb476de902613662f2e29573295a583  T91/t11.bmp
f3bc2de47391e38d832d8a62ed8d373b046787e599778efedcf4193e5587241e  T91/t12.bmp
5f551d7e84f3bab49b5fb2e597d29b3920bbad03bdbb3b898884f0be17e96439  T91/t13.bmp
8c426fa5b413e14213ef7fbb71176cc5cf9c385b0cd9c199b0aa80d4ee326ebd  T91/t14.bmp
ce01dbce740da6f44cb351062daa8ccace91188fe4edf7b408900b58b9f0de13  T91/t15.bmp
594bcc141fa2c8d03cd4927b8e53d3a3b328d4523d083933cd249c9d9f81b13f  T91/t16.bmp
5350a3dc65ace9f753d8ad2b00395b8d2aeb167296481e8ec5392cf288c024ef  T91/t17.bmp
9345e8d5fc59336482fb3f90fe1e4a4a050da39a7a2d81a854abee9bcb86400a  T91/t18.bmp
6639057c940889eebe3d2dbdcc993659090fc868aea550285318ce464de5cf1a  T91/t19.bmp
07530d9e4f591cf8c3d265b8ca5a937eaadf5212be27fff694214870422cc3b6  T91/t2.bmp
39a2b362d128edcaa98d88e8d86d7a661f6259c948a171cf1d3bb0e4df901c55  T91/t20.bmp
fb0beade57a0e52da0933de638e0ae828f6fb52ce1181ddd4f2fe7cff045d64e  T91/t21.bmp
87630a34c0ab5549d5823426748d77191b3c2dd317f086d6b440f9f62e3be692  T91/t22.bmp
460529492d4566a3fd9fc7d6a63b01a8b8c569533a920743462de6097b86ce7a  T91/t23.bmp
df30507540996b48aea464e9b93534589bace076def6ee7b8012aba5d271f56a  T91/t24.bmp
0cf73f85d53a03a24dca91375a1a06ec05472d228c197bea1084a5411322d063  T91/t25.bmp
980a88ff7f17e773eff1f118b87b54727c18f2dadd557b909f47eba7223f140d  T91/t26.bmp
70d8212bd5b89604a66dfb813f519768e24f860f606a41dde0e36330ed41a5d5  T91/t27.bmp
9d0fe6e4976fdaefc0a597c24c5a47b4001967cc55058d2ac991ccbdfdd8e5d3  T91/t28.bmp
33b75efca22b76b3db434351c47cdb4fbb088ef39ada7d5b89518233abba242f  T91/t29.bmp
5f67079bdd259d73214a48ae666e16d596f81503c886cb3f5937a8f91d3b48e5  T91/t3.bmp
aca3633130f6ba454aa1786d0a4b538f565491f05d0c5ef63e2e78df34c24539  T91/t30.bmp
0ab8dd6051b55d5fe2ac1b0f13fbc107cde69456e33ce34be707d8c5f5336b08  T91/t31.bmp
8ed49320e99808f3b0d3954169b45896421dcbbfeed677154403b99d3fb38980  T91/t32.bmp
e74c567e37afaa350d277f0116141b53ffddeddb032e494aae24589efbf1178a  T91/t33.bmp
1404677d01ebbc0d243b9b6c126410c58578b33b80655d48536e06ff70011d4c  T91/t34.bmp
0630c1f764752a84a94eff48517d41574aefa9068d0ca49f8e614354e933d8cc  T91/t35.bmp
1c628e04ddb923bad98f310aadf1ec140291edd99056c5f78d9ed94e92e6f257  T91/t36.bmp
0be67e122259e02748b823e20766e6db931f1f58835491fff941785b36cbcf11  T91/t37.bmp
3be95aa1e4abdce2ecd56c60f4e0c15bfe0a7375d1b4cb4a5d38cf85ac01143a  T91/t38.bmp
b3b8bd124e9f67f6de5c82159d646c0258780b6e715226f07bbfe37933b474d2  T91/t39.bmp
3f3a2b46fc984921f3a43aac7a5af48a8ea84d9339df22a8f16fd94ff803c475  T91/t4.bmp
f85064cb4fee2e866d55da2e7e10295357e4acbd279ae9e5901ac34eb43e68e5  T91/t40.bmp
2c6b199625ad8ce4bfeacfd24ecd03eedce68b40c4201604fd33c8d856ab21ab  T91/t42.bmp
6d4f5598fd57ffdfb3678bb104ed76a827ecdc546b0da710fc60436650b8624d  T91/t43.bmp
400f6877d88414c35bebc97d4d42d31de26318d877fb035e16ead4c1e4230bb9  T91/t44.bmp
b714f0189323ac9a883510a66dc95cc8454946ebda21164d2327fbe62445c8ab  T91/t45.bmp
4aa6f0d8e586fd2cd6461e1dc6b6e02056cfea49e0c1235fcd9c2cb3db6c492a  T91/t46.bmp
942a66177a41e51c5dd639d4c43ac4bf57fd318cafca30e7ed37907d47521783  T91/t47.bmp
9b2b2294b983a03ec65b2334c6bfa27ddb5d4c94810a4c5c5a125c04f92b3aaf  T91/t48.bmp
132459e1c9973afe47761b209cafb51c4e8b6b04d708f5140bfbe4983caaeb77  T91/t49.bmp
c0f1d5c9c52d1680b24041041ef4809c14e0ba9307b6f5c2e24c818b285e03e3  T91/t5.bmp
ff37d26d2192004b3e7e36731c5633df41355d3956efca6503603aca892c41af  T91/t50.bmp
71327d97cb20376e3a2fe36ad2dc7fe6d5d66e62ba8f9d210b62bda816a98702  T91/t51.bmp
70d47b2c410b38f8088933f7f04b77f6824657c0753b03bbee7bfe2097ffac0b  T91/t52.bmp
b90877ef69053047456269c5667c9c2258ea0589d275df14a277616b8c4c43c5  T91/t53.bmp
9660dd86a4c26e0816970d3a15915d27fa4c99ae70b4e6b715be083c5f751875  T91/t54.bmp
a825655a7e0204bcc32fc639dbceebd1b19683c14bd4e75a654728695ef37dd4  T91/t55.bmp
2a09d5b7d1b2bcdcf33209d46dd3ff4b69008923334517947022d089eb0007f4  T91/t56.bmp
740ccca1f80b2ce0a9ed1d0d9e94c1cd323b089a47bad4605aef16eaa3c77ad9  T91/t57.bmp
4c50e113b15c60f538aec523f7de0274dd4059bb4d3d08e234614c38b7e78358  T91/t58.bmp
efd3270a48e5325f61e9173fbd6bd487431ac8a8d9f263b83113403b91d5426e  T91/t59.bmp
1d20ed01c9c399b00476419b459d12128033c17dac8dacc05ca59bfc365da672  T91/t6.bmp
6f93d92cbad459bf30af73d5627f2965156fc4c1997de66ae77f7c33ca599bc4  T91/t60.bmp
bc89907a74c21794db4884b1217f91084df9fd01f844d2d9bf6ac009b550d69f  T91/t61.bmp
24c840e9acbe1430af742a61d89e367b6bc5edbd8080737002af6260a48b5fa8  T91/t62.bmp
ccd48b87c7e71cd27c4fcc3ab99ff70bfd40a06b5d4d37069efcb433ab3d5b7b  T91/t63.bmp
7eb15ab8d32a70f18e528ca40df8e7a055dd5552e1586e0632aeb845abd9442b  T91/t64.bmp
1c628e04ddb923bad98f310aadf1ec140291edd99056c5f78d9ed94e92e6f257  T91/t65.bmp
78efd98a9b89127d06d308d8bfd738ae77d5c087b2500a61b75b86f8ac6afb5b  T91/t66.bmp
8bf16fd877206e11966f8fc76ded26a457101fe5e39282a20e052f16a0e70787  T91/t7.bmp
6e41c08509badd906bdd8a750004f98bd8db01058b3efeca0b3c9239d544c5a9  T91/t8.bmp
4bc0f253ca708e898f8af77a11358076c78cceae592d64bfebccfecd9b4beaf1  T91/t9.bmp
9f3f752f4cff92961b896473dbf1e171268cb4a2114ffa08608dc201702a563c  T91/tt1.bmp
25e719b9402adf870a185b516e4c06c6af8636b4bcddaf27dd6042b4b25f9364  T91/tt10.bmp
6ba67c88ffef87bcafc3e5d8723c35e536553eb724f946afd853a5a3f2f35c7e  T91/tt12.bmp
cd333c10b6ed9155553330bde4160348084ffa2fbe73ae02c311c3c161f508b2  T91/tt13.bmp
9fb5b5e3acec47eaa445c987bd541eeace90b4e5083f675682bf5f944fdb59a1  T91/tt14.bmp
5583ad57fd530b24f799385ecd83d6bbf43b35791d083f1314b43fa17da84446  T91/tt15.bmp
3c823a83adf28687291899440f777d548c1b95c0def6c48b37a70b37d6284f4e  T91/tt16.bmp
d9222ee0e9fa51b2119fe91a72015bc97aa11660c2cb06bbbf5b4567dc54eaa3  T91/tt17.bmp
6d861fb17141f137f37ef5e5da365c26fb44e0a5e29c3e51b94a0d2f4b865b42  T91/tt18.bmp
43b829fadc643cdebb6f90aab4c397762284cb958ac48099301a085bfefce402  T91/tt19.bmp
396f2ece3c612792d08cbcf7411a7d9d973c454d26e0fd931094de0891b80d92  T91/tt2.bmp
2de65114eec8c7bb1177f82fca2984fdbd734d513fd7712d08a5b4d6214df1e9  T91/tt20.bmp
0631620dc9a1eca76f0b55c40311a903783a72f757105c5aae82edfc7a9ad81d  T91/tt21.bmp
a055857f762b974c52aff8f224f85a472311cbd4f4bacebea9958b7185024828  T91/tt22.bmp
4dfb0015531c77e3c85b560485ce91bdd515b7a2f6b58c8a5128bf81724d6d67  T91/tt23.bmp
d50158cf5d09ede1cab4fa79f15f4c8749381d643494b4689e3eeab31fdd7abe  T91/tt24.bmp
7b188db37073dc19590ac75aae0d50990357f88be2a65585d2a355cc66295c35  T91/tt25.bmp
5e85706af55c13188aae8bdbaf12a152c6377ad4cfe09728297827d17b1a7d60  T91/tt26.bmp
84e0380c9392787e253325a036b7e17774ed87583edd1324e88ce91a30018070  T91/tt27.bmp
97134dd606815ff9d2ed720472900e9fe6fa783d72cfa276ee168155cfdfac7d  T91/tt3.bmp
662aceee5e2ba8088789ce785bf6eec38f9f0d9ef45a70ac775aca7cd57038a9  T91/tt4.bmp
96c0d40d5815f88ab28162c5204dc37fa356e223f4b923a8a28f22dbdf0d1882  T91/tt5.bmp
708685aacebd13cd57aa28aff916a86f46584ddbdfcc81cd75fe6d4ce0d6efaf  T91/tt6.bmp
c80f58bf01a7e3036903687896782ed36398fbf95e6803259ded222acf373dd3  T91/tt7.bmp
5c7c290dab40e61c9ff7e8779c4c95fe3211d823f776badd6ffade0a587690d6  T91/tt8.bmp
d451c3b4316519355bfff58331fe8ddc5671d78243f472731137ef4489df76e6  T91/tt9.bmp
d6334541d82f692f5f540758327b9d97edfa9b926efa214183d83f89a9dc4584  General-100/im_1.bmp
e68acfb6cb65e4965e3bcca5f7bdd5953c7fa19de2f06f3f5004bcbc0be93c66  General-100/im_10.bmp
d9d693e9d1518164d0639adecb09587aa9adb5a13f35b3bdff300386d63be2db  General-100/im_100.bmp
1a3f9dc7aa42827e3817257dd0e5c8a776fa74f6f47f176d76473d62460d6f19  General-100/im_11.bmp
866c615473674b803292e6f200ca23a2af1bcfe4753ada4d5583332e13c95636  General-100/im_12.bmp
10b7f806167024541d646070d93d2c285426434de228e4228f4935528fa2868e  General-100/im_13.bmp
a31da1dbd6b64cb1a97c35dcd93b81ee0c5ab28f05ce304dfe3675e6a7ec9690  General-100/im_14.bmp
2ba1e215dcb1c313ce01503584f0367003db743759a1c4f143d5c42b1681ef74  General-100/im_15.bmp
3f6714bbf4eda7eb420e60a2e6d3d382bb5a15b8442eb24281b6b89f8ab0d865  General-100/im_16.bmp
ceeb6d5fa5f74ef7ce8db28ae3bf028dafa03ca8bd1c2e4f3b98196ace72ab7d  General-100/im_17.bmp
a0a7489c3858beead9f8eb80b6be5837b0481d5e0ac018027a020152ba698a73  General-100/im_18.bmp
e9e0dddcb85a15a4a92e38abef3c3f0ee4b1aa4006684c78f25d106e37a13282  General-100/im_19.bmp
0f1b3dda891bfc360836385ab3ece62a6701cff65611324263f7f9e9137e2afa  General-100/im_2.bmp
c2f7390ccdcd33124861313e8c0436b877d9cc89b49a015b1b59867dc8d46deb  General-100/im_20.bmp
96347376a6278e56eddbcfc4ee49bcf6cf980a86e27b82102d664f2772f0bf0b  General-100/im_21.bmp
db7fc5ec9de33f5f33d7cb663e7c7da0a45b4cf3c29ce59345b996836d400b00  General-100/im_22.bmp
690f02584f5aa1c1817a741c680f7d9399ceaaca6b1820d91fe60b653005d38f  General-100/im_23.bmp
53190d572a28e444bf61210a53bfa2a965a2d7a1b048b883064a9cbc5e222bcb  General-100/im_24.bmp
e5243aa769b0cf021acc11377d8207fa146d0605c0485068600a76c25f93f281  General-100/im_25.bmp
d853489eafcd9f3f204fd4a8075240603233beaf1331f208fd11ebefa2850b76  General-100/im_26.bmp
714cad7079c2bc8ee08373e1ffa54c347818ad8749cd14778d537aa4ebb0774f  General-100/im_27.bmp
fc70152cb45d12a01fcb6687d55e6590b7761b4f18bd5cb40bc736d36b345a23  General-100/im_28.bmp
644d57c0078697cdaa8e672d9f8291a6d9acb05730a9df47f0449cd4a6090e30  General-100/im_29.bmp
2925936eeff34cb2ef74c4967aec80bd795307c4b532907239dfcf83aa304f04  General-100/im_3.bmp
902abd946a3c49f5f300fa22f9b347de3288ebaad8e181cb585d9bff3a165ceb  General-100/im_30.bmp
5d1833ef3a206a213fbb2d38a16a62e36e85730f75707cf6c343b3ce420cca47  General-100/im_31.bmp
0705a7b72e0e3cbfb2d0f7ed2662565e0503a79b9060186df06fde9af0be3c08  General-100/im_32.bmp
abbff1f5e728501212bc380ac3894cf9af25804f047b743897589cba79af7895  General-100/im_33.bmp
d3b7985c1ac23f2d7d9280a527058ac2a24fb034fe965ee7182cb9f59fd0aca4  General-100/im_34.bmp
bdb99f5b053adeb72cc44364c0ea6427e8da21d7bbc60772ecd546f26b019fbc  General-100/im_35.bmp
95cdbdc6623ed861de809ecb36b14365cd31141c67686ee1c08dd082843d7379  General-100/im_36.bmp
bc89a2a51f5a0ebc1a06f1b88ffeb3b69bf4f0bc0dc15a5321d63ec707b74946  General-100/im_37.bmp
c2021ec622d7b34be0d52cae32ea234f2735c96e075b60d7bbfda60bfbcdbc71  General-100/im_38.bmp
9d953a9c8f60bf2e07d65801e6411775b16f37c776d698fb08b8728a01d8ecb3  General-100/im_39.bmp
3cc91f61bb52c64a18cd715c6034d49dc81339ae81e5116872cddcde6cdaf9c9  General-100/im_4.bmp
aee2e3d5070204ab1e806c5656bb436f23b0b063f07d4b1338a72c443ceba7a8  General-100/im_40.bmp
97ec8c23afb7317dee8aeeb3cedd6f4c2f6979a6766fc5efe8234c5fab0cc04c  General-100/im_41.bmp
9b71885173db773c199d1059b4a3487c9e93b1e76f75c653c0d9034917e0fcb9  General-100/im_42.bmp
097f47784f12f7a118cc6d8afd4496bd9795b03d8ff47e5e18c236cf17efcfc3  General-100/im_43.bmp
3ca6b4a8c54473addf69ddf96387a3ecaf4111ecf5c83617af36023bc2314e1d  General-100/im_44.bmp
c04b73f2cd8a2717a6951380724a8328287c6ce0a5d6f7b82ac3acba9c3ade54  General-100/im_45.bmp
87c54df454dcf16f997c65669321b8a329939940b67342b038030d1de5d3699e  General-100/im_46.bmp
54cce80748f17e9944dba7fb444d79c3dd9dce5dede7f98b0cb555ce8423a2b3  General-100/im_47.bmp
25b3c6f425dce3fbbb546173638b2e68534225d7d931f3b7030eaff55a402ed8  General-100/im_48.bmp
bc9b76e18e62fb0f7de555b7ad1bb219f726750c3243d6af16e764a24d96f1bd  General-100/im_49.bmp
47d52161498639a1f1f7570ccec5d62b7a77cf1eab27fb1ade316e6a4e242627  General-100/im_5.bmp
4e2db8b8c0e09ac7678d37728310b92ed8042bcd7693bbdb7fa318b4ad84af64  General-100/im_50.bmp
91ea19a9d7a735e0a6f1eba1e12715b7abaabefe02678e990c7837ab75904d68  General-100/im_51.bmp
f30dafc87a79afefa4f66dc186b489dd0cfd54a907da01688ad586b87d77c3a1  General-100/im_52.bmp
612e762defc81625051db84bc5106987351c0cc76f4c41d7f8a8419e46878c64  General-100/im_53.bmp
d6cacc454fdf6d405c65189ca1e6b5ffaae46530a006a93a812a378b9a0688f2  General-100/im_54.bmp
bb05e73cd08937cc78aef824f74a2faba9c64ed4641e1814091303cb6a3b67b0  General-100/im_55.bmp
e3bb7f8b29c001ed28889f10cc749929682cf2811648dc29cb695bf19ac7bd97  General-100/im_56.bmp
adea2033532421fd19fde78eb1e37d3af8dd9e4596dfbec71fbb1816f0231007  General-100/im_57.bmp
a5105a1038061e99fb38472d46ec95c84944041084a701f3d62e3a5549f9033a  General-100/im_58.bmp
0afa3144acf2282b3c3cf9633b4ec041125c869702b28cdae48683cdb42b4209  General-100/im_59.bmp
7d604ecf181c7e409697b3a785baada541b065f53ece9a94dd48ab4a9bc826d4  General-100/im_6.bmp
ae6c2fcf42d887c3e2578f418736cc3582908e851ade18a677b16bf2abd567b2  General-100/im_60.bmp
f6a928885f4a1710974a87b3631a62585ad86bb9c544fa4686540394eeb8584a  General-100/im_61.bmp
3ac294acd62ce6cf37f305a64001e122e7b2ab4f1879e10d05674d5b3cb0c2f4  General-100/im_62.bmp
c804ba35bacbef100a8e221aa3a5ec7fb017646d0adb10450b0e0964099f25b9  General-100/im_63.bmp
30660b55caec7c8a705e3e58109cd573341229b67ac8dbba59621e50a5596609  General-100/im_64.bmp
997a4c85c4b318e7a9a39d4bfe669eed2afd2d5648a7d369a535608d8aaf978c  General-100/im_65.bmp
ad15b5451d8f3209fbd0745c93f7feb0541a4ef32fbcfa3abf3c93bf5e8cc0de  General-100/im_66.bmp
ea29fc566276b08a445a51aa908388ec7c0ea78c753412f97256ca49994dbc89  General-100/im_67.bmp
a618e0763ed0f67566b46e138103df8eacd01da922bc928eaed5f3d407ac177c  General-100/im_68.bmp
7f5d5a545f3794da7e9153ced1df5b95c0243496ae9e040ec035b95992625a0a  General-100/im_69.bmp
53f4396c7aff5d7be174a9303324e419aecc3f83f3558934038fa613e0aca510  General-100/im_7.bmp
14949c01b1d5a6f6cd6baec957a518475105026ea845fe1b5773b3c09a7be303  General-100/im_70.bmp
e58af6568cc1d0488576c152e951a80c6a6dfba66dcbbd6becbbee90b83e8021  General-100/im_71.bmp
f0b6e0a024a575bad9ad311eeb86883897782b2ff409782553df92a5ee06d72d  General-100/im_72.bmp
dc8fb214f28a210df2e2cb437a99bce8ffa570cfc73343afd768d7d9bec2c169  General-100/im_73.bmp
149dc085fd72de12334a6c59e6e32bda88a08478d67b4ee24d13662bb3ef90c0  General-100/im_74.bmp
1c4af618cb1914caf779a0554d672cae2fc35ec74cbdd1a06d8487e79b497396  General-100/im_75.bmp
09e2b5f9e23bd7c80da19df94fa39e9bd9ff9b0a54c51930ad74bddf00ca4171  General-100/im_76.bmp
cb47288d00a1e74f2fc763db6148de014de2f26a64487a5696d7d74e2f61c982  General-100/im_77.bmp
33c8d3c6300c556d7a9f983edc9426ab46d08552ed8a116d77321cd33d99e55c  General-100/im_78.bmp
a5349541a31216a8b84bb27e6704172b223585a5f3c75e0bf3a1090bd67834cb  General-100/im_79.bmp
f2c69ee56ab42f1ba2b4b9c8ca2c30015e17270b6cfbadfa3c027d53847bac54  General-100/im_8.bmp
cf0ef257a2bdc5e8222f73ccb5f329e483779d5c0002e3c6a154a5ef4bedcfe5  General-100/im_80.bmp
ab13f8943651a6c32539bb44894ca34bfd4932b99c7883085a12f89073388a38  General-100/im_81.bmp
550ac6b6a7fbf301b89a0e5a7dddd94c6dca7400a5afb1c0364b927aafa4c9c2  General-100/im_82.bmp
c446a00fe113593f3d22c9f798f68b0c76bfa1e8d2d0f121664278cf8dbf8e6e  General-100/im_83.bmp
3311d560b0203f39593eefb111c54b679d5327eb8819840329f6ac94509222ee  General-100/im_84.bmp
161eac6425fdfe59e2bfe49b7e93fbe62101b6834d0c119df97cdb4d1ac99220  General-100/im_85.bmp
e91d89b5de74a588c28b4bc6b6c8be798a44d67831ae087f27095f5d31f32d31  General-100/im_86.bmp
b5dd0cc24a7ea84c4c2dfb5917fd93754b695408fdb3d2cb16f1a0bfc8be63a5  General-100/im_87.bmp
ba4099e1d80d0009e333dcf818bbc87883d06db5eaf453413de944701ea11f92  General-100/im_88.bmp
b074a433e6f06b13183fe87d7b99db5f7b8794b0f63de05b4e6d296468bd8281  General-100/im_89.bmp
289d7b3ba231683bdc9c7ad1c0befb8f2d2262db9a8562900ab85b58394fc9b9  General-100/im_9.bmp
cfade7e272165350906c777254e3078d91608e11a1ff4e40c5d2e5ddd1968d0c  General-100/im_90.bmp
7c95a54c617969a5377e68026d3356f448251adc2cda7a2b0e0b4475d41bea34  General-100/im_91.bmp
93c6a1b6a1ffa3d493e3dd1b108fc53987b0b217c4d74f0806ec036afa317c8a  General-100/im_92.bmp
f26b83a226c9a7dafcc3782f20654731cd25cb1a45819cbb4280712763b3b1c5  General-100/im_93.bmp
ca552f6352021ec20e146cc98daac4c095cac87f60284f0191861195af9c340c  General-100/im_94.bmp
3525f0a8ba60ac1be9e8be6590f7c6964ce8058b6902ff50241f014d94b8acfa  General-100/im_95.bmp
d1956d32a956295b32514cbf59ce43bf667cfc9e4916630ed8a67405bf8c6094  General-100/im_96.bmp
097203abd623138b229acd4430261801899931c0c36fd076fd4485094dbb4e1e  General-100/im_97.bmp
b638719db6bfd97d2f24b4f642aa6785f17602b7c58c27cfac49f1cb543de952  General-100/im_98.bmp
42d45549b7a93425e502f9f5b61e75847149f79c15ab8fd59113d35f70ba0ef2  General-100/im_99.bmp
cb85956d68f708a1030c790d143cbcd108f5ac5988d3349180cdcb54dd80597d  Set5/baby.png
5dcf863f7c3802e68fbb0fca2ec351052a1f97a4db613e510dbd105cee9a6a32  Set5/bird.png
487d841c9dbc46c7ab496c319ec1f13268de7ea7e02f94ae18781ca86a5abd0d  Set5/butterfly.png
f524c1ce41641c1cf269a20c4dfbe965e07e471d609abc19dfadfb71037cc873  Set5/head.png
f276625a222b9ce18d18d86e1ec603fea50427b7c0a2927b3750b1bb86a07b83  Set5/woman.png
bf6fb300762bcbe1340098b4309c179b2007c3bb81b7afde18c38a3ae70ac8a9  Set14/baboon.png
1ea77fe82564b55230d7c2439bef5738d18a4624280e263be48484c002b6280b  Set14/barbara.png
c0eb089ad3dacfa96ee79d9c112216265b36aaba205e06f80846b03b21884a53  Set14/bridge.png
fc6c2acd5ca2116f37b1b38c0c2908ce64e2e414086fb43349c246d410669da6  Set14/coastguard.png
49ccc5e33deff33992b929b07549d803f176e01bf9f41b73de6b15437bc2280d  Set14/comic.png
5cc7a1c5c013b46a7ab4850cb709974d26971550106375a36fd641c725bce9aa  Set14/face.png
609e9fc9ffd6c9689c6200a11e057c19e6e4ec5d385fe0d6eb59a7b24f327894  Set14/flowers.png
af4ad4771fd2def0a09ba0011e67225f10ad1590e85b48aab4f6820fa932b1ed  Set14/foreman.png
72d70a7a5051c6193f02b03decb6c7b1d336abe2d024f441a2384acaee84af55  Set14/lenna.png
ba7a7e45f690a542fc32fdefe1e04e0128d1cdf8c3817c1ee7b0300961636bfe  Set14/man.png
ed96187293a37c931250d137553928e1a9a63e31296b82a4968dde63683bb101  Set14/monarch.png
46339a09e2ae31d2f0513642607586a00d82feaf48dc3cc770e42be5684a11a9  Set14/pepper.png
a9276fa3f7fbd4257ccede14d1004f836c10fcc2bac174b2428f43fe899b8f9d  Set14/ppt3.png
af146347f19b1ab9f1da26113a88505d600e2dcb84bf91bb8e2013691e79bcc7  Set14/zebra.png
1d000b8c1ca517ce9415293724dcd797dd0a0a54676705e8d9f6cf7372173370  BSD100/101085.png
c7c3d0ffbb0a57abb67198c9e058e6f8b550e1509c8bdfe1de9b8a37d786aea6  BSD100/101087.png
2e2cdf154c5d4e1266e7fd7ee4f0042b1691eb138f5149c35bca839604ac33cd  BSD100/102061.png
041601172c91fe3af430fba186d3c34810c6bf2da047587d29c08ffc767e2c48  BSD100/103070.png
9f1648881f29323fcc5e9bebec1cc325146829df724cf394d37d90557e44a970  BSD100/105025.png
28125dcb74cbd34e10f02cc3c413572232b7aaf6b510b2cef36b0185a01e903b  BSD100/106024.png
cc5388111c4c314047d5d7f59cba03270c6e9056099d6be25bf5e1158e2d036d  BSD100/108005.png
2e96c6c1d3d44af2a3587ce60fe445b44735ba70335e315dbde65ec5e19c693f  BSD100/108070.png
613289d85e428b95936fd86d1fd63137722b0dda1665be813206a29887804080  BSD100/108082.png
2bde9b36a1343e5e7364958625ae0e7c11536867e059f7383379145c337e0983  BSD100/109053.png
9a8b72033dc0d693503fef573d712ba1d1cf31c11db9b27fdef06e5069456074  BSD100/119082.png
6f5ad8ef620d248cec0c718a174eaa7ab5587b2c6130ee77d873311b392bd0a8  BSD100/12084.png
493a51f60bd202ab3bb6925ba57e1c8edcbe4f5d1f69bee4b34f8e7287b3ff9c  BSD100/123074.png
ab2d7871682b09d29bd66923d6480c5b2ee5b76a9e19b25e1f8d13d644f2d703  BSD100/126007.png
0c040c1aeef23901e2a75e3d3b46d42a4ca39be2eb80a302f6d5d66817e18a20  BSD100/130026.png
05618171b13e2a62175047987400b164f08c8b2738a18a6e49568f51fea1cbc5  BSD100/134035.png
7af8824d30930ecd8de26bef9cbd431e336788ee3f2a88ba06431ff9fa041a9d  BSD100/14037.png
eb322b921a5fa854c8fb19f7ea30fd8dd06ba2fd8a45b4919521b466298a1848  BSD100/143090.png
add3b2d6019e72b42165456521822d035f975f12a992baf4f1d344bc77a579e9  BSD100/145086.png
6004bc55b6b25e26cfa037d7225714a0b766c1610efd18ac785aff68cdeb5a6c  BSD100/147091.png
e55ca30603f46840e99c573024cd161aff6457517865bffcbca873be2e2e45a9  BSD100/148026.png
21cce3517bbded80fac3a4028fd2a705a450c14e1a1b7f19a176b801668076f3  BSD100/148089.png
3a38acd289225520d2eb0f2f356864bb8b16df1f17f34f56a6e7cfc8cfc2ba83  BSD100/156065.png
621d78b3b1cf387f17a4f6c1fa0fafea7aa7650f326010d600a2e3964a9c266a  BSD100/157055.png
e3b2f55d28e179f915d9eac314fbc0d3424cc3476e7ea22643ee6f7311805bb9  BSD100/159008.png
a41eee02d6410263df31abd571e09408be5e9bbd4d67d39378b2d91f894f93ee  BSD100/160068.png
5fdd544d8053a359b33c643f8de6206b2969657cd54f0fbf6a8bb6e8472cc9c3  BSD100/16077.png
ad6407a4e16c7eac826cc9ae0bdc9d7b3823f18904fd5aab79bfff31a2158eb2  BSD100/163085.png
6ad9d1eaf53816495a9f74f734f9957e23fddf8eefe72b3a2901689fde5c1dd7  BSD100/167062.png
1e19d9a7be25d0ca8d20b4e73f2b03fec2c3844615d585fdd3288772e9461d14  BSD100/167083.png
6fd6195460c73611a14651515bbf07b6883c975af8f5a3b900fdc384db77e849  BSD100/170057.png
8d4a6677ef7ce4e540a81217c573019fe907e7a1db76b737046659274b197e28  BSD100/175032.png
94f0f08067625d1eda7ffbd9f25b6f371b95a834f73aed16cce11c01a60b873b  BSD100/175043.png
556024652ed48233f62f7cc15d54cecf431999219ec763fd86d68a2b516833c1  BSD100/182053.png
164e442a5d4e720b863b0934feec8bbcf0ffabbce0c6de38cf86a4c5a84bda10  BSD100/189080.png
e7c727446868b1d8d17fef3ce742d25fb0eaf006e1cd58214f8b2178aa76fd4a  BSD100/19021.png
619101a86f2374088173064571326b07f838822408ead0f8fc00b091da73e4f7  BSD100/196073.png
e0b7c2c9da4d05891ea06f81f2d6d1f28387474e5e4f9d4abcbf507dacf68387  BSD100/197017.png
dfdb491dd364fedd5dee2347080f2f2062ad9ad8509a2f0f15d9ac9fc978ad55  BSD100/208001.png
6397478cb55307620592baee5a2551efab1c646e14b9dc33c54bc3918fc2da1d  BSD100/210088.png
0b5c63ae7a4ccae8d5a39b90e5738d4b477c508b442da8978b4b49c8e1608d76  BSD100/21077.png
331508ba8bae9fa867201efe5b0cc646b76b1468275c72746b2e19255b834fec  BSD100/216081.png
a4c0b8ede514ce61a87e0dff4fb3a6e3672a1e6113bb3a4e1c901d92ed60a53b  BSD100/219090.png
683e69d8e7772cc8c6e3d47f19ad6f940a7e132f40c2267a237640d626e9ba92  BSD100/220075.png
68bf6d46bb7192b78bb81895923e41b226fa4717df69ca1db28b1c5744e4963e  BSD100/223061.png
83763e45073f6b143d84a69dbb611a01c9b8fc3ed1962717485680a488231058  BSD100/227092.png
fab4aac3f6e71bfd6674b2542725742a1ab662e1ae0df63da966acd9a74fbbd3  BSD100/229036.png
7c515e180ead6e6f19892d3eb78c14877789d053e8be97134bc8ce4a8781e8c8  BSD100/236037.png
8e6cdf2f704af03bcd56c22935fcfa28156bf75e9b57a3e5a30b6ae472b5089f  BSD100/24077.png
004aa56e67d6a1422c26122495036e0fa55c4bbfc43ae8bd2ec52389f47285ec  BSD100/241004.png
b64b818d3766a644beed236b1e35d89c5c4f3c7d7b1686b7a49a7af4df51d1ac  BSD100/241048.png
c4b2a1f9f01b97d00f494eb1e45fb021374875f1a088597ab4391827d90bcadf  BSD100/253027.png
578055ff42e7edbcd205d138d9d795858f49cad2630c90d24df5d8611b3f3f29  BSD100/253055.png
5c1f6a5670cd793d526eedaede57d38d66cde0937fad4395a3c23a049ae9ef50  BSD100/260058.png
01a6adc308eeb49e4dc276f172ae555e4fd449566bf71e43ca1fcb774a558ff0  BSD100/271035.png
f34ecfd9c9f0c658f157ed5cb26e2822b896fa143f17c96cb44e253c359914f6  BSD100/285079.png
5c2c95e4ba0058f1dbcd4d5e890e7a94eff61a14e3442ae06c60a4273673be2f  BSD100/291000.png
99c64babc4ea6dd35c2b858d595d11a39b477ec756a14c924da448b271f66905  BSD100/295087.png
873373deb1767a5f1dd18b9a6b02b4ada95b6bb5a7526cf2006a95f8d13ef96e  BSD100/296007.png
193662c3e558b0491294c63c33be76ad63e11a39c4bbed926eb1a3c30b4505b0  BSD100/296059.png
e1101440feef0addf1ef1bb130419da4d8c6b5fb3d77eb5177fd65acf122706f  BSD100/299086.png
b5f569ed82854e3c71ac89f732a40be4a63c8bdc770d40d8653a0ebbf4c95d9b  BSD100/300091.png
a42923c2f5318747a74cc90a149486f0791cc08e07340376d468ee6e7285c006  BSD100/302008.png
bdb3f9f9066dcd86a514233fbf4a3566f141ab3266ab7e399ecc6c5a47ed1c99  BSD100/304034.png
6dff7c482cc7052000f2f8387000151e7636cb18122726b0fe7ed45b365c1c77  BSD100/304074.png
293327b724e26d2173462e59abf1c2483875b0b839f2b2dfdba457f94c437323  BSD100/306005.png
349d1054f51c9ff748426e756ae888af28db15de3806dd19dea48604139e4196  BSD100/3096.png
a7f83f3e4f139a64e42c1d3ca0feb6fa78d377548d58bc08f653cdaa10a6fbfc  BSD100/33039.png
5017388627179cc6be41c8b8a20fb117b188befb7681cbb3fad9def561f16b2e  BSD100/351093.png
5c7990a1b90e93c8770ff71cf3ea8b95d9e54eda91601e399093fbcd10383d4f  BSD100/361010.png
d5d6b6ae727af337c0cab870e1feec9a391d95a9837f5a4ee47d8b550f5b3a29  BSD100/37073.png
09335cdbfe8f2e468f8ec0310dfc28ed3f25e172191e5ed2d1850a602d955f55  BSD100/376043.png
c3a17fa10d860af9c4440e392b27dae70a424e9e3463a2791ab407fc90ba7800  BSD100/38082.png
059479161943fc791b89ed3ebc2155d8ef1097a1348d8ff2a8a88de46bf39c48  BSD100/38092.png
fb934cd325300542f229b64d3280a30a73b74a272e76fc6713ffc3752b06319c  BSD100/385039.png
e30b7b76464f57acdc862def37821a22e98c127899350d0ad9527886d7a8ee0d  BSD100/41033.png
8fdccec3c7dd947e98dc525925ddaaa151250d0edeea12a10db19b12aacf7583  BSD100/41069.png
ad72cf01b1c134259f46d9f9700db1e685fa179d39c1ddd697b840106f6161c3  BSD100/42012.png
2fff9124d574317d8bb73686e0f35dec6072fa9915a87daf0e3ec881615f2695  BSD100/42049.png
2a1f8c0acd060faa74fdc414e464009ef6cfd0b284f79ad19bafe3e8eb1f31d9  BSD100/43074.png
299ef752fd3edf9c16c89ec2ec3bb157e7b324b36806bcdef4ba09d4a8de617a  BSD100/45096.png
c4bcea6a7746418d61836d3d5c5c4428e8fd5eb96ac69972bd64b166f184f605  BSD100/54082.png
f167368d1323e431945bfbdd6df395ff097ff90d6936bf375e2c8eee668061f7  BSD100/55073.png
f8ecfa4496813d95d4dec75eac56169fcbcedb3900784a1055ce1077cf8941ec  BSD100/58060.png
9dcca884beb5189b9b498b90115ba9ae62bd74ea14717a7ba5137f8a9486fe0d  BSD100/62096.png
b64678083f0292156103b00333560604b546ab3447778b145f00bf3de66d9a08  BSD100/65033.png
2ffb204637982ad7d2c98e05797c40680e98b2d1261aa26de24e7b50425e2687  BSD100/66053.png
6dfa6a9909a27b7a0c6943a7eaf6cfcb2719533cb1014963062225a12fe21c27  BSD100/69015.png
3ce2adfc7e66caeda67ff71a4e586403fb66200340b7dc548b2b353b947e9125  BSD100/69020.png
eb8009952168a751785bfa50481b5f53e4efd83d571986b5f76cab858b86f596  BSD100/69040.png
38397b09120859389304bfb15287c7537af844b422dfc6591fe3d55c0bade321  BSD100/76053.png
8251c978eaa3f05222587134e4bf71ee1556bcede3470489a93ca45d74aa81c6  BSD100/78004.png
42bdb76ad11c3d225cd687ca2b424e110ae1b6e0dfa4905b580d1b361d7f3c03  BSD100/8023.png
41101184c9aa399dd30f3111e9f2512530d3e527ee25fb6a463a3afd90582b44  BSD100/85048.png
dfbf450b4b544b0808ea3d32bc375bbce6b0e2cfaac25fea884ecea734e16b4c  BSD100/86000.png
29496ca21a5d0039f9120d17ff286bad1f0df1478788442881145d67ef195d94  BSD100/86016.png
a865f155e9f11130747e9e00e183095b1e6f51bc213e41366281e7c75423633d  BSD100/86068.png
f0ea37b401aae7bc1d432cdea031caa2fede62fad65086e8229e3f5b8dd72e43  BSD100/87046.png
2bfd62d69cb1d430a86abda26faa8f532e4f330fa4e845e1118fe7dbdaa82117  BSD100/89072.png
dcd238954e60a0266817ee8ca44c0d126e1899a83f84637e723223548bd1611e  BSD100/97033.png
a12fea582162c22c4217e13d67450f94c2e2dc1eb5a64fd8f754cf4373f66448  Val20/100007.png
56a83e27e568cd978331bf43d3ff2480d48bf98c71c26b02c8949e70f672c295  Val20/100039.png
22f84d6ab4b515c7b31244ac5de964cf0f2ff9d1e160adc90714a93d403eff21  Val20/100099.png
4445be06ddf4f0effcbc267c282c6eef0d4f983954bde83fe21e619c57453bd7  Val20/10081.png
6a06f3a65ae1d63381ee169f6a435a66bf3867207bf9c6a7049d31fd7bddcb12  Val20/101027.png
052af401b4335306e418ac433cd37deed6907dd313657074cab360b1757ea62c  Val20/101084.png
17d70105c5750397e405e682963697b947a54ce59c4576bd36ba25255c9c59ab  Val20/102062.png
8b2a27313a40d25c3057d01efa8b610b9cf680aa32f06e73cb91eede33d3675a  Val20/103006.png
47133f486577bd1e1090844faafca437a32bdcb73b15abe1a089c913bd4362be  Val20/103029.png
18b5225015cb3bbaae64edd3a4e0bc20ef146ab06c7a6bb0cf1b84bd3570f0fb  Val20/103078.png
65f920e38fb4c6e4f3d5f2e280b74001576e8764511e47be9ba078504bfc28bd  Val20/104010.png
2be272c26e25517451b7a69f54136ee90b6e03a18212d8a844e672a4ebf10b0c  Val20/104055.png
38e067be6927cc92a629c230cc06f6b929a46c7a3db6c52f5e13199b08d5fe74  Val20/105027.png
d6497eb56262adf45d385d812893cedc7f9ff37ca1954849476983b39fe37354  Val20/106005.png
32683052484af79d79c9d793c28eb9394a6c31846991f755d8013d0b2f636bc9  Val20/106047.png
33fdf2dcc583357a36c62b0bd3d3daef2436585f0d71f3f9116c5e4d4c6553a9  Val20/107014.png
142c1aa7010c36d2080db2b21554424f60c856594a695b5c2fd7636e90505271  Val20/107045.png
75b91b218f442c15cad7e3a9b77688e903e2a0da8959ef9314ac8f65a9554911  Val20/107072.png
0a2cafb619293d07bab3d1ae3cd98a313829a553be310e3d807451492998321b  Val20/108004.png
6e7e0b36c51833f79f04337a22b06cbb238ddcef808b09891f42ae93346845b9  Val20/108036.png
e4b434920164591aa67f1041b4b3ffe9686245a18d72d6a96c775b129e1c670d  BSD200/100075.png
f047577f75ed5872e56da73747e424aeaf80602b0970e54a1379af6c17c2cfde  BSD200/100080.png
38f5a8fcdb96af5bc88d81ae425603a12e7127097ca7b882ff80b89b39ad28fc  BSD200/100098.png
401669edf1b6435be0d22d433acaf65c31ad627b54bc5b3e5d2b6dfa2e3708eb  BSD200/103041.png
ec502a668d0033d0b6015b3608cfd90c7f330edeed5d754e9f00d7f67834c425  BSD200/104022.png
29aa22bef185d73f5d60f2a62ea2fe81fe698147e0f8c1d7f978163b6e0e3cbc  BSD200/105019.png
41b97c731db63f0e3bcc24f63cd8cd13e382b6744e8155e6f0595660c666d91f  BSD200/105053.png
77e5f6476c145f1891964ad07832bf6230c7f0d65b57ee1c988ccfdc3d79bc40  BSD200/106020.png
95aac186cd0ce612b71a83397552ce6f37b3bd02890f3807d6dc5e03b3c451f0  BSD200/106025.png
9f54c12388efaeec87bc39614a30fc21c032d1a9d83a73f863c7d97ce611a1d3  BSD200/108041.png
32578f30a2dbdd1c6dd68119eb0aecc6bb09318a50ab111e242d5e091d02b9b7  BSD200/108073.png
15cb90a86de74fd554bd7afe1de082f17bb5bcec16b8143002896c1b04673c96  BSD200/109034.png
4175d9b4344a5dd9367f35a422f239bbbf49dcdc3e61fc80c13ba746d0d65f3e  BSD200/112082.png
ba05ff05e49d266dc1b7226b960ebf0fc8fc41f4becdb8c6e949bdc2e4d8bab3  BSD200/113009.png
725cc95d80e7af96613ed16d827502c5963c8e267d0841918a776e6e568fb554  BSD200/113016.png
eb801a9fe7cf4835fb2a1843b8a744d4bd464a9f58ce9709f6f33bdf5ac71d05  BSD200/113044.png
74f98782c5bc33e435c5cde40842de6de51526253c0cf45677ebe5729138d278  BSD200/117054.png
7da93e2dc7ebe4fc757485e52e98ec3819698855a3021ff0e031ca40c1909cb2  BSD200/118020.png
2ab6523a9b525d9608b988c7c306f40334db8a5d53422dbb5327add4f3837413  BSD200/118035.png
448bea69071a57dd927f1d78d16f807c9a021b7b26a7ff001761afbfb82917a6  BSD200/12003.png
3c9b8a4b5289fc4020349a4a4b002c70272c4d1e980cfc3366b4f7177c472fcf  BSD200/12074.png
1d71c456c0e1994d932b9b68b5547bb57b34772c291114b69a57a4fc70c50a3d  BSD200/122048.png
0b65df81c12e5f2798e42afc51b5de42725c236aaab26ca79ca026171b6042aa  BSD200/124084.png
5ebd8f72b8d8e87fc08efc5ae312b7f28740addf3b1a14458831686d40575504  BSD200/126039.png
f10cf58cad47b7353128ad9a709df0d5e9f1e3e265433527aa595b2cc58b9c50  BSD200/130034.png
b78311dbf8d2a1aea3c251b6c8e75df09fa82c2839d7a93bf603bc00217684f5  BSD200/134008.png
4270015d7bd944a40e34137974fad38557e73a4126a305463d4cd1ba7f0989dd  BSD200/134052.png
b5717b4ca01a9edf3de53b9fc7d73813b6e61b46fe895fc3815c04f414030504  BSD200/135037.png
bbd2a2a38f16a1a307d47fa15fc17196fecdc81bf84b09563ec7b0b5c25919f6  BSD200/135069.png
0317e610807ba4be109bf2999c2fdb490144902873ce76d9f560a8a48ccf866d  BSD200/138032.png
e247a00951cf5aaf080eb3a91791fc9da9f8c19f97029f2824eef47c08fd255f  BSD200/138078.png
7e441d86c320bd9debd0b3051928de9df52fef69bb8e52f36ee8a6c5a61588f8  BSD200/140055.png
99b379662f4cda33e2807958a653c38bad41d7623fb04f12975ca887eb7b2e6c  BSD200/140075.png
3210a80cbb99dcab6cb30bff0e36d16292593f55a45489107bc3b2e4b5fb3424  BSD200/144067.png
2ac4019faac97738853d0e67429fc42129c3779cf63cd1f7c4da210c7b69f868  BSD200/145014.png
242f3f813774407ffb9432e8af36f4e58e18daf8bb6063d7035e9bbe6f071d38  BSD200/145053.png
9b9275fad0194a448b1853dbba7849b64404e7bb7a0cda2e77a0198f5ba9573b  BSD200/147021.png
4c1600204f44b777e8438293ed23c3c1273e8b5cc1042cc3bf029452da6e757d  BSD200/147062.png
0ccf6084093dff6ad092da7b22d857576d166183de71a5acee61d9c1c365e7aa  BSD200/15004.png
59f9be22f44bab07639c6790b239d132065680f9c7d205b99f40e657bd40dd09  BSD200/15088.png
f2e6855ed4fd0fd4c7ef8badaa60d62906f678bb01923bac36342480c932619d  BSD200/151087.png
b221ac5574416d4b272828d13cec360e100e19d1442069aa276e23acad744781  BSD200/153077.png
10f7d8d1643ab0aa55d730df706df9e7c2545a4f0c10b9bee7f38c42eebcedd1  BSD200/153093.png
e03a70e1dcfa9f2b195a2cfb8168e06d654a89dd04841f487591b9684544191f  BSD200/155060.png
714980bddcd3ba33687f5547d5520de47d09327221276bbdb69ba47bce72213c  BSD200/156079.png
8c7c75495ca02fc84871533f6b193213095d025c2cde3df3aaf032013a1fdb68  BSD200/157036.png
2a509133edd5d5f7caeffdc7f1502530bd0824b94cefb842136b9fd0f41e55ea  BSD200/159029.png
9ef156c0f78a7bdf7101d6c397de09d1ee7b7990221b42a5b34f5f179b510ee0  BSD200/159045.png
bacae749fb715ad6e4a9bed0ccb727c1ea9843f85244c427e5e0053f13f228b4  BSD200/159091.png
7a07d5d908068b82f825ca5065233bd21363731402e8cbc38acaf0e558e24ebb  BSD200/16052.png
d8f5a890c9506ef06f508f24389007b6b9346eabdfeb1d700719e1d00ab4bb27  BSD200/161062.png
6f5c6e83952572a1923dc062039b9175c835f3943cf7620047cc5ed83fd85cda  BSD200/163014.png
9120e7c8f7b5cd1d58c6f6dc7852e08cef3f6d383cdaac6959424817991eec4f  BSD200/163062.png
25498cc74e560b586b53ce409efbbe33690cbcc0ac078ce8bd3222baae84514a  BSD200/164074.png
5279921474f194a8f2e136117bf86b9c8cd3110fb6d47d5a88f2fe1e74321fe7  BSD200/166081.png
fb0d7791591379d408f82b67855c0d5ac126281d88e94ee90fc77e626e6a6b38  BSD200/169012.png
4f307fb45c741ca74b9ae43e77ebb32770a71d22ad10583c7aa3a0295f3ebc30  BSD200/170054.png
5b13a48af8c53cd5fe4d8118dad7b60e8cb27e6d6bbfa2f3d707a4e13c949bd2  BSD200/172032.png
f3c3bd5ea87e86a851e0301996f3d0c64b13e6ad197b11356334463559317265  BSD200/173036.png
effa62006944afa1ba562426f5ea7ccd4eb73eb05372c46df3348fb4b9793c96  BSD200/176019.png
21b692ee1e15c89ec1538924431b465f83970a32aaa83f4392f0808242c29735  BSD200/176035.png
ad7ee7488712b1d958ed8e805d866163159166bfe15cd3a2c9a84660216f5eec  BSD200/176039.png
9168b36f7a1d075d58e298c135ff901ec3c844247828c04c0bb6038833ced254  BSD200/178054.png
aa4ce2557b731d11a53e765c3a90b5d46b30b0cc81eab72d984a3f73c80c8a51  BSD200/181018.png
354dfca0e94e8c50a9aae3a492cd0b6b6441898a6fb9b13a24f4cbdd2c0ce517  BSD200/181079.png
3476997b80c9fe3cdc8a9f3435336792face186620715392d453b3024bd8addf  BSD200/181091.png
ac65c0e8a79ca30b3537be686408657e7e1831245ac219984cc414f8fb1c9c00  BSD200/183055.png
5651c363c5773813a9149f99834645ae99df1d0662d3f134e80d0e9b0720e070  BSD200/183087.png
de0d8c716e4298bb8a85bf98465447d0e586e17cc4e6f2c7765e2592c7b19fae  BSD200/187003.png
94b868cd67882be38896536008d16b93072e7dab0ac9af0eaed240c5b29d5641  BSD200/187029.png
4db6f85eba9198d70279cf206e7ce33ccceac205453dcde50a7c7dacd5607e13  BSD200/187039.png
908a780b02826b109a638d71e6ad2d3abfc58b861897e479fe1bb8f40b30e11a  BSD200/187071.png
6882f6567dba649f25216785d8ecbc530bf5cf3e71628ba83ff63128395baed7  BSD200/187083.png
2adb08dd991b3d3ee3cca3b3604fa8b43ff9257eec43d465a799423953f742a8  BSD200/188005.png
6d950fd52876cd2bfd143110057008cbf125cad1facd7679ae9c5e0151c95844  BSD200/188063.png
32af3d254130f085d8a874508359756355ec88318e1a369e41d3b1baeb6d8a2a  BSD200/188091.png
3385ed9cfee95e66e711f2fb550338304c4d9c914aef63f033a81a42b24a5af6  BSD200/189003.png
64d9011389241ad7bb605570ba4ffab81d3576642cfe188ab954004d5a720987  BSD200/189011.png
fcbdfc73ee4ec5d2596606c5ff3667f370987dc2f06819bf95ac18f121cdfed1  BSD200/196015.png
eb1b0fc9066a9e6eeab2ee0e114ac2a5f623af3a300c9dcc701b0d1db5a98a21  BSD200/198004.png
0d9ce5760108d6bac5875a72c7c5050776567fed9e95588ff4e784381720886e  BSD200/198023.png
963dd7c63912e7bf6876506240b9e2481ba5768ae8d1969b983c0bcdd24358e5  BSD200/198054.png
7e87c2dc8d0014f20ad742753091baabef72c510d653e24778808f9979587516  BSD200/20008.png
40ca369280a39c5af5fce64d63d8806a00ff51c48e894d821f4aea9f83f0c1c9  BSD200/202012.png
36d82019b957cc074cd97f5f7a0becc47b89ab81aa7c866818143071584a7059  BSD200/207056.png
d8df8e9739ee4f6ac392c1eb4e2a3b5e0503a758d9972d556839b7cd73df0761  BSD200/209070.png
f0df5cc0eae75219eb5b3c350e0ea301b504a5efeecdf57a8575316f3fd8c105  BSD200/2092.png
fe334290cae30646b9be52c9bd3bec6a44150f0a55f1792ea91ee228cbb64465  BSD200/216041.png
50dabd97efa9250e83673487b276ed2f2e6ff078a2a316a71cee72dde3c4426c  BSD200/216053.png
915a4c559153a06b931d43ba28db0e9dcb329127c550d2b6ac07f39d91da62fc  BSD200/216066.png
d3bc1a45e0751325caad28314fc165305eef2cb3a72d277040e10492f53f72cf  BSD200/22013.png
299301b2025b7c0a1221ae4a119df35154b32461903486ca7942c5bd233084bc  BSD200/22090.png
d74ebbcab952251ed446c4654ba8c76419996c77ddcb86f50d335d6224e0584f  BSD200/22093.png
594a15838ae8de85f37650dee0228121af08ecc396e48f9f46c271f332a6ed48  BSD200/225017.png
c417712e883ed938a59eb6ffea2606520b50f8ac5a90241eae96a37334ef2bfa  BSD200/227040.png
aa7c7a7bf661b4f7b3a23e8b0aac8b372d1da93085e6048932707d9338aa2022  BSD200/227046.png
a854e9955eaf6d92f6e61680705b8268846a1e8b7c0876ccf9eeb7774f679627  BSD200/23025.png
eddce71fb703077fb15f628b10aee8c672188ae56a1b583b2a3d8aaaab8cb5f3  BSD200/23080.png
bbd65fb96abdab4299d51d631cf9aa6dfd4f5cfa51d91a23917a4aeb8741c8cf  BSD200/23084.png
182c32b5a382c4cb939d2b50555e774b323ac2b195082dbdad465c4908fff49b  BSD200/231015.png
1c42c8d86ab3c297009b7a1422cb4bd8668f550eab8fae3b2f6ba58850e913b7  BSD200/232038.png
6e242d70b0d971d71b639f53335a6acd56b90feeb0bb3915bf1418c945d0acae  BSD200/236017.png
f45f5756f73ab5e448c7851ee5901d8b1bc9d7795e41a4e98ebd498e84ec1092  BSD200/238011.png
40c4fddfc6d09dfac2ec55c3ada167bfc1d4cfc5a7d2cb145bde13df10012218  BSD200/239007.png
6c479bea76018f9ebb2ae820b11ba1b430153aa0c98a04fbaa7188204bf64f94  BSD200/239096.png
c8d954c77a9c0abbd9290153428d5f09519c21229a8d3ae44e2bd982cce34f90  BSD200/24004.png
98466c11867443f901754a69ad6534af7060b6eadaf749873273106d7a324ab8  BSD200/24063.png
a3a3fc0b1d801d26cbcfc91e7414dedfea49b35e3ef993cabfd99f6b5b7a7849  BSD200/242078.png
166ee9fff28539d9b60daad85268aa6eba219a6822741ea4038740c3f9c04881  BSD200/245051.png
35cc9d14d92cb1b12ad091e3cc56333aeeb31dddba5de29d54a7fa597114ced3  BSD200/246016.png
ec1f0dc2024638a65ce840e8dc7a40d00aab9a2642fcb9576d0b28c101158a0c  BSD200/246053.png
fa6867622001b66e66be620097e37c3626e0594b0dfa827fa3195e8852969260  BSD200/247085.png
21679c0458fae0a0481db02db6281048b5dc5f5c82f3e9f6a09355110e078355  BSD200/249061.png
0d8ea66e1921a915983da1e91bfc0fe1c0fbbd39341d0280e0a799824a6f270a  BSD200/249087.png
4bf140060902f0ef852700ff8c80085f8fb97c4795d3bb02fd28bf029545599e  BSD200/25098.png
4cf0b1d3c83b65b64a9beb900d7b39d422eab23a00681499180eb97d1cec9802  BSD200/253036.png
2c17c77b57224d52a96f3d1b587eb0eae350535d1712065319f748826c459342  BSD200/254033.png
e235d58a61c21e3441c8c43bcc0b3af95d235a898c404f44488af0a7cc1e2e81  BSD200/254054.png
df03891c4df6e1c48b4de2b3c8eb6f2c57a03eda1943c7c71e36b919c13eaab8  BSD200/260081.png
7f880f3ff45561f898a5d10b0cae3b3cfd7d6ddaaa6aaa18ec27d5a17724bcf2  BSD200/26031.png
49bf338bdee9d612df6193ad139171cf80286d874ce7c46e7f22909b04c4f246  BSD200/268002.png
94c1617ae5f87f723fb9999223b9bda780591f94d5ecdc7d4e2a7dcbd05c515b  BSD200/27059.png
f0f40aab15861b820849500ca2db311fb04a16c6ce5287b82bf253656b1dc5aa  BSD200/271008.png
67d42834fa8b1a48b2f291409f9d90033e1a0161ff1451d98d09e95c0d85c511  BSD200/271031.png
031e186e6b5f1121432acbe302c70c3d53c8ed349f217b1379a7d852b04ec25b  BSD200/274007.png
1f6355e83b747809f746a60459eb80fe04cb9c412625726c9c1a3fd5116ce776  BSD200/277095.png
fb0434b2f2f0598e4e83efd3526274930855cd3a973c65b34349db4af3e28332  BSD200/28075.png
0093bee524a48d757d582e03ee884f32c5fac9f21fbc5013fc41874dfb78c25d  BSD200/28096.png
071b79828ba614477ca86bde76781d0a7f3a4c489e8b29d0aabeecce93f9fa2f  BSD200/285036.png
dd4e7fbc60fc661cf2a1a19dda3b6b62c7b3da7a77ba668d5548d119c1c8c84e  BSD200/286092.png
28614b9172825630a572f67153a41ad43a19db51dcab97c01fcb8123bc101471  BSD200/292066.png
a4534410b25a266b688d8c4104b6038499381ef1080683819291593c4213aa2a  BSD200/293029.png
00b85366a54042763f50115ff3be901ad742368659b14acb898be2321a7c3d91  BSD200/299091.png
a5395f018d5a5e19a3fa3f5c80363ddfb6408b4cbb5fa0822e6b778583975640  BSD200/301007.png
0ae079d3a8ee35b67de66e42a04cdfef148a42f4682ef583d39156438eb23a4c  BSD200/302003.png
ed1589269c7e8b651b18f9ed174fc62fa82ea7f1290847e39e7eccb92f57c3cd  BSD200/309004.png
8780fc76f98d95a2846792b5d641faae59daf1f57b64b3c673142e9953d65f1d  BSD200/310007.png
a50deecaa90aa6d5d3f04254d0a5f208c3dfff1e6665f83417f952595a3b82c2  BSD200/311068.png
6580e3eeaa1c2e968b73d830c251dd1107cc0455e8dcd26871f4636b2796293b  BSD200/311081.png
ae2fa56ac82f8c824366f80d1ee5bbf06a05bd235c3742c400d9019ec3c4d17d  BSD200/314016.png
7121b54244a5655efe4325ac269f048c628a81a51e7c2a63ade9b5e14694edc9  BSD200/317080.png
9baa23cb407a683155c670d05cbf350c1327f7308d0c2ee8721bc11f2a1c130c  BSD200/323016.png
de4165c3c4cb76f70e42071f0c84e602fd6244617853385ffaeba1ef801acd21  BSD200/326038.png
efd924d340187891d88291815481708f2c375469dc2a6b377e9e6cda47b48b95  BSD200/33066.png
1b6d4c18cc7c8efc61426c96649a373233fa82809c49932d6de964297b85881b  BSD200/35008.png
429dc15ab0036db9e3e4052de53fad58f7c84d9cdafc44d913e9a1f10cbe25b6  BSD200/35010.png
cd2a75a4369f4013c58d9c3da7c97efcd8e9ad0e28ab5ad0d88336bb88efb2b1  BSD200/35058.png
dc7b881ef2b0846d0a82b34bf25ebbfb635d3bf453a7f81569d9acd387c362eb  BSD200/35070.png
ce217b7a2ccae3ca9911728896d75f583ed06fdd607a14e0e0ea861f73ffe7e0  BSD200/35091.png
34d1882c0ec1fa3b92bd7812f92507bf6ab55dc65037b5fa6428a6c4ae1e15e2  BSD200/353013.png
b31c76ebc91e14b3a68bbf3bda687d367579a74002832c29155ee761f1fc7ec6  BSD200/361084.png
9cf8b22355cde616d6f499a2e7369ca349c660b2fca47e4f9b77151411352bb3  BSD200/365025.png
befb9ada631ab47eb50e3be93d9da2b47d239f87c85ae2de0dc2f3d43edcd866  BSD200/365073.png
ffb810d06b2bd9ab9bfafda7d1ac139593cd193649eb93f9f950ab7a57738e6a  BSD200/368016.png
2130993cdeee57db0523a6595f9b8a74068c6dd8fc209e17434a7e32ea6884bd  BSD200/368078.png
b8a17a327c9ab22d19e6bdf2c5aba24397878f46febce58f85e3f199eb8f0092  BSD200/370036.png
e530fd21c793c403d2638dee63fe559aa2a401c96bf8c58e53b9ff5383c04005  BSD200/372047.png
e2b3da7af24c0033fbde738d41a8ea333866d0ae5395922d46239662ec07f132  BSD200/374020.png
8c539887f017a1f20e534df36666a41de52c40368bda233ce0b6a4bc17440557  BSD200/374067.png
a97c4bb1473eb9b418e1c31d5388aa38f45dc7a7ff43af0f9cb0f860767cade9  BSD200/376001.png
0f53d3bec36428f537825e44a61f7c8a9474fb764f0fd3cc6f8942683b431d5f  BSD200/376020.png
fa73117670616a44b5fa084390a56861b045ef75572508756d9b39f78dfb0018  BSD200/385028.png
b56ff04bbdf882ef7176aafaa917a6ff20c691b71e053564f9b42d4ddcbd92db  BSD200/388016.png
ff523d2492792107f685ac640241272c2168cf4c3dde683f771c1a1193f2d56b  BSD200/41004.png
133d3f649706c25e30210f5925469bb157c54531838b8e2c49b85d8b8b9fe9aa  BSD200/41025.png
173d9a5c9abcdc30f95c2afbd171cca5d21ddc8ac36464760f651173df45e4c4  BSD200/42044.png
0f44352f566d749b47af51b711f71a7bc7adbe1f76db3426c8793dc4ec729b21  BSD200/42078.png
58750ced5dff8ad82e3f9423511d1b6bf80c519d781ea9d76659b0341468171d  BSD200/43070.png
b52312cff81612cef4b752892d3cb69076b4220a778be32f9bcfd308a2a52141  BSD200/43083.png
a05ed797d19db1cb101e84328f6584280450c77383bde4b6abd999667ede3caa  BSD200/45077.png
8fec73a4332e9336ee04bc0bd4102dbe238497ac8d357b9ff81291ab2f04bf20  BSD200/46076.png
231a9f1e24e4680e1b66a864409daf962d84c88c199e4cc2d467437754134c58  BSD200/48055.png
69cd2446dd6316b8675e66e4a29feadcf4f3c5e1116b2f9e629b025339c8b8b0  BSD200/54005.png
f055607c0406a0acfd4c00b976d79d2cbdb02465210b72ec1355d4075a1362b9  BSD200/55067.png
ac6eeba4df71d6f446bd408ad18af1b32e0d8ea4d4c01f7b495b5ec6973b4e86  BSD200/55075.png
93674a8bef885928de4cea7c903323ae957cea393f755b671d7c0da358cc3768  BSD200/56028.png
d460122cccb593f1458e83aa4bfc986741f0447b53ce8e0e63900b4505efe1aa  BSD200/59078.png
6c6f2226bafbd126c32cc1e82c8ec5eafaf5390f820d74b2edafaddecdd86e92  BSD200/60079.png
7b16254a5a7e2a788ac57b5e649843fadf3aba8a0887e273e252bb0bfa11e71e  BSD200/61060.png
c1434075fade8626e60bdbbabc35e8b836214f9ecc3e5831b687a2d28e5856af  BSD200/61086.png
425b5569862abb551fb4eddc1e538ed01115d9f9632df40a3b54d0406c781f1a  BSD200/65010.png
15cdf68a9d0ee9d47e574fa1caa8b30a1b9c2289ea6dfa2bb34339c415705e18  BSD200/65019.png
6cae2e25a942256cef415282564387bb0580f22aaa8bb4524e1142e7487e4afe  BSD200/65074.png
402505621b985012930aaec51a20155634b92f0930ceaee36bc5b4c2afa48e4b  BSD200/65132.png
bccca6f985646d5d637d67648432f3a89f059caaf8a7af433eda0fafd414cbc1  BSD200/66039.png
e6eea246a95297488d1dcd55ebfcc85f6971d8e7de9c4223a1dbe1b1372aecdb  BSD200/66075.png
41a07a9597c72809e4e8749f1b1fd9ab3765196c9e2f1c219dceb5cff80ae195  BSD200/67079.png
a187718edadc16b0180840d5a6146d3a388930e3111ab5c177fe0d85b7d22828  BSD200/68077.png
b19f73d7856325e65bc57266d464d6de3ae551b5d9a0a3571a1353ee35c041ab  BSD200/71046.png
4741c448b7ff1f6e99e5ce0e797abf9678b0ea07b36b00f14d76645de7f9637b  BSD200/76002.png
fd9d4d324d479ca901f65a61503062d0eb19db6cc44e958fe5278e2072382726  BSD200/78019.png
ca8969604b919038da9e630e18029ee3652e6c3422d6d31994cf6ace61a93eeb  BSD200/80099.png
5dc0e14bcde6f058d1eee737bc9c4d1d49cf5aef716880eda2ad675453c74345  BSD200/8049.png
46556ae516fad8017fcfbab3772af13f78ff212b846a18172269b74b58e3479b  BSD200/8143.png
99047e2adaf25afcdfbb8fb5d643328593444fa8da175a53d7691a7871372d4e  BSD200/87065.png
0bfd19aa013df8dea8f7865cd469d7eca56a1277eda1981580a1a4a8e24d01ff  BSD200/90076.png
0ca4d7341797ee3a6a960f5d4b9e2052f404b898e989bb3b053e8fa6bcde6d24  BSD200/92059.png
03cee69f619971ad7abbc988f3c7bef681db6386954e8467aede5ae2156df70b  BSD200/94079.png
d680469c02b23980b77c66b50558dd7702aa7ef4da83b37077b1a7f886acf142  BSD200/95006.png
82d654add88a17a9769c3c55bfd6b42752c5516e605535068aae58e32968d4ac  BSD200/97017.png
dc405e07c3e4e962b383945864bbfe77b6d8b8e2907ca5cce51a1e2401a8fb5f  RealSR16/cam1_01.png
9ff0db6154b8bdadf8b01db81f4899abef5332d9df93cc081818db024871d8f5  RealSR16/cam1_010.png
0c1088ccafa385381a9b9f4533860185a26bb1d3c97b53542478ed2bdfdebda9  RealSR16/cam1_02.png
2735ab47a75ad6a331e385992adf2c9bd181867cd60dde7c4f7a64379f86eff7  RealSR16/cam1_03.png
eaba70c3a3a5231691e59fab62efc935e723287cc70863e08b9f32bd61f6623d  RealSR16/cam1_04.png
bc02577e46aaa69e942687c50bd8e777a3ff4c5b3cd1c192f13c16923d8167e1  RealSR16/cam1_05.png
aa83f5fb89acafc6289a494adb65e93692ce86c8b9dc9e40a2986d75dcdaf356  RealSR16/cam1_06.png
b646c451ae93ea4093e8c16d52591fd12cdbd490ce434c5d4fdf110c8806e2b2  RealSR16/cam1_07.png
14560f4126cb0e3479d2097abbb123e0651bd5c85d4810b18b119fca32a65f1b  RealSR16/cam1_09.png
2bc7864c24833666e64fe4f1dfb30f00adc5cdeac79a484ae15139a9cb6df3d8  RealSR16/cam2_01.png
76c542ebe36bf6563ed5eaf4c7e961930162f11c05589cad469469a513cd7e9a  RealSR16/cam2_010.png
5c0be9c72c5e2498f5a55181973b9b4be76c25245d81fc934542b4d5527e4aa3  RealSR16/cam2_02.png
c78e3d1b8b6a42aa631f391059f2e051844edc8b788aa6613e78c378b4132dc4  RealSR16/cam2_04.png
2068421e24fed37fadf7eb833ca0de8283ee7256b332b7984908f6c3a3b2a906  RealSR16/cam2_07.png
64b12064df13ec74e35f71689b21bf4f078624fbe20fec66e1527e3cfa73c7ef  RealSR16/cam2_08.png
b9c1ee7d3866f04461508a5eead2197937f31a3aa4d7f83ceaffb0637964f961  RealSR16/cam2_09.png
"""
FILES = _parse_sums(SHA256SUMS)
