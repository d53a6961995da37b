"""Word lists of the unclear detector, written for this project from common (informal) Indonesian.

Lists hold root words; :func:`flags` also finds affixed forms ("kerusakan", "dirusak" -> rusak)
with a light affix stripper, which is enough for membership and far cheaper than a stemmer.
"""

from __future__ import annotations

from functools import lru_cache


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


GREETING = _lexicon(
    """
    selamat pagi siang sore malam met slmt assalamualaikum assalamu alaikum alaykum wr wb warahmatullahi
    wabarakatuh wassalam waalaikumsalam salam halo hallo helo hai hay hi hello min mimin minn admin pak bu bapak
    ibu kak kakak gan sis bro om mas mbak bang tante semua sahabat teman kawan rekan warga terima kasih makasih
    makasi trims thanks thank thx you tq ty mantap mantab mantul keren hebat sukses semangat selalu sehat semoga
    amin aamiin amiin izin ijin permisi numpang lewat hadir nyimak ok oke okay siap good morning night day jumat
    berkah tabik punten sampurasun sugeng enjing mohon maaf lahir batin minal aidin wal faizin idul fitri adha
    lebaran ramadhan ramadan puasa happy new year tahun baru natal imlek dirgahayu hut ri indonesia merdeka
    kemerdekaan ke ya yah dan yang untuk buat kepada kita kami semuanya sekalian juga the of to a all bupati wabup
    wakil camat kades lurah pemkab pemda dinas lampung selatan lamsel kabupaten tercinta luar biasa bagus sip nih
    deh dong sih lah salut bangga apresiasi hormat
    """
)

#: A problem, a demand for action, a judgement, or a negation: what a complaint is made of.
PROBLEM = _lexicon(
    """
    rusak lubang bolong retak amblas ambruk roboh runtuh jebol bocor pecah putus hancur ancur macet mati padam
    banjir genang longsor kebakaran terbakar asap debu polusi cemar bau busuk kotor jorok kumuh sampah limbah
    lambat lamban lelet lama telat lambat molor mandek tunda antri antre nunggu mahal pungli pungut korupsi korup
    suap sogok gratifikasi nepotisme kkn mafia calo oknum curang manipulasi tipu penipuan bohong dusta hoaks hoax
    fitnah ingkar sulit susah ribet repot persulit tidak tdk gak ga gk nggak ngga enggak engga ndak kagak belum
    blm blum bukan tanpa kapan kenapa knp mengapa napa kok gimana tolong tlg mohon harap minta tuntut desak
    segera keluh kecewa parah buruk jelek bobrok rawan bahaya kecelakaan celaka hilang curi maling begal rampok
    copet jambret tawuran ricuh rusuh bentrok kekerasan aniaya ancam intimidasi judi judol narkoba miras mabuk
    liar ilegal langgar terbengkalai mangkrak kurang minim langka kosong krisis defisit utang hutang rugi
    bangkrut phk pecat nganggur miskin lapar kelaparan derita sengsara resah ganggu bising berisik nyamuk dbd
    diare gatal sakit penyakit wabah keruh kering tumbang gelap gagal salah jangan stop henti usut tangkap copot
    mundur tindak benahi perbaiki evaluasi protes kritik kecam tolak gugat lapor adu aduan komplain complain
    abai diabaikan cuek dibiarkan terlantar telantar marah kesal jengkel muak benci sedih miris prihatin
    malu memalukan takut khawatir cemas waswas heran aneh ngawur seenaknya semena sewenang arogan zalim
    zholim dzalim diskriminasi timpang ketimpangan boros mubazir percuma pencitraan munafik rakus serakah tamak
    bodoh goblok tolol bego dungu payah bangsat brengsek sialan kampret biadab bejat kacau nunggak tunggak tagih
    potong denda tilang palak peras preman kekerasan aniaya keroyok siksa bully rundung inflasi lonjak rosot
    anjlok meroket melambung mencekik menipis tewas korban pungut rampas gusur ambrol jeblos sumbat mampet
    luber meluap licin lumpur becek bolos marak seleweng selewengkan nyeleweng gelapkan tilep sunat mogok ngetem
    """
)

#: Problem words that name no problem by themselves: requests, the act of complaining, negations and
#: questions. A hashtag whose only problem words are these (#LaporBupati, #MohonPerhatian,
#: #GakBisaTidur) says where a post is going or how its writer feels, not what is wrong.
UNSPECIFIC = _lexicon(
    """
    tolong tlg mohon harap minta lapor adu aduan komplain complain keluh tidak tdk gak ga gk nggak ngga enggak
    engga ndak kagak belum blm blum bukan tanpa kapan kenapa knp mengapa napa kok gimana jangan stop
    """
)

#: Praise, thanks, hope, support, good news: what a post that is not a complaint is often made of.
POSITIVE = _lexicon(
    """
    terima kasih makasih trims apresiasi bangga hebat mantap keren bagus baik sukses berhasil semoga amin aamiin
    selamat dukung siap aman damai tertib lancar nyaman bersih indah maju kembang bangun tingkat prestasi juara
    meriah semangat gotong royong peduli bantu layan transparan terbuka profesional optimal efektif komitmen
    upaya wujud harmonis sejahtera bijak amanah inspirasi motivasi bahagia senang gembira syukur alhamdulillah
    cinta sayang rindu kangen indah cantik enak seru asyik lucu keren salut top jempol kompak solid hormat doa
    resmi launching luncur gelar hadir kunjung rayakan peringati ucap informasi info jadwal agenda acara kegiatan
    lomba festival pameran
    """
)

#: Public services and the places they happen: what a complaint to a kabupaten is usually about.
TOPIC = _lexicon(
    """
    jalan jembatan gorong drainase got selokan irigasi saluran aspal trotoar pju lampu listrik pln air pdam sumur
    sekolah guru murid siswa ppdb sd smp sma puskesmas pustu posyandu rsud rumah dokter bidan perawat ambulans
    obat bpjs kis ktp kk akta dukcapil disdukcapil ektp nik bansos pkh blt bpnt dtks sembako raskin beras
    pupuk subsidi gas elpiji lpg bbm solar pertalite spbu pasar harga angkot bus terminal pelabuhan kapal ferry
    dermaga tol parkir sinyal internet desa kades perangkat dana add bumdes rt rw dusun kecamatan kelurahan
    camat sampah tps truk pelayanan petugas pegawai kantor dinas pemkab bupati satpol polisi polsek
    pemerintah pemda negara rakyat masyarakat pejabat dprd dpr kebijakan anggaran apbd pajak retribusi gaji upah
    cabai minyak daging ayam telur gula tarif ongkos
    petani tani sawah panen gabah padi jagung singkong benih bibit hama ternak sapi kambing vaksin penyuluh ppl
    poktan gapoktan traktor alsintan rdkk kios pangkalan het umkm koperasi kur rentenir timbangan
    pamsimas meteran tagihan pipa kran tandon tangki kabel gardu trafo tegangan kwh
    suket rekam blangko domisili orgen hajatan karaoke petasan mercon togel pengemis pengamen gepeng tuak
    umk umr thr lembur pesangon karyawan buruh pekerja pabrik perusahaan outsourcing pmi tki disnaker
    akte jl jln pbb sertifikat ptsl honorer pppk p3k asn pns beasiswa rusunawa kependudukan bantuan surat dokumen
    """
)

#: Promotion and online-gambling advertising. Strong words are enough alone; weak ones need company.
SPAM_STRONG = _lexicon(
    """
    gacor maxwin scatter togel slot88 zeus olympus jackpot jp rtp bonusnewmember depo wd endorse giveaway
    followers subscriber parlay cashback
    """
)
SPAM_WEAK = _lexicon(
    """
    promo diskon murah order dm wa whatsapp cek bio follow jual dijual daftar link klik gratis hadiah bonus slot
    deposit pinjol pinjaman cair jaminan investasi profit cuan olshop ready stok stock cod trading crypto minat hub
    hubungi terjangkau reseller dropship member situs terpercaya terbaik dijamin modal receh jasa nego cicil
    penghasilan untung gabung join bisnis ongkir grosir eceran garansi bergaransi sale referal angsuran kredit
    menawarkan tawarkan penawaran marketing konter loker lowongan po bpom ori original
    """
)

#: Who acts for the government: an office, its head, its police or its crews. Matched as written, never
#: through affixes: "kelurahan" is a place, not a lurah.
AUTHORITY = _lexicon(
    """
    bupati wabup walikota wali gubernur wagub camat lurah menteri kementerian presiden dinas pupr dishub dprd
    pemkab pemkot pemprov pemda pemerintah polri kapolri polres polda polsek kapolres kapolda satpol bpbd balai
    kadis kepala pekerja petugas
    """
)

#: What an authority does in answer to a problem: inspect, repair, budget, launch, hand out.
RESPONSE = _lexicon(
    """
    tinjau sidak monitoring pantau siapkan perbaikan rekonstruksi tambal nambal aspal pengaspalan betonisasi
    beton kebut percepat dorong target rampung anggar gelar sosialisasi resmikan resmi lantik imbau tangani
    rencana salurkan rehabilitasi pemeliharaan kerahkan tindaklanjuti
    """
)

#: A citizen's own voice: a request, the writer, a negation, or one of issue 3's complaint words
#: ("masih", "kurang", "lama"). Matched as written.
OWN_VOICE = _lexicon(
    """
    tolong tlg mohon mhn harap minta tuntut desak segera kapan kpn lapor melaporkan ijin izin kepada yth keluh
    mengeluh ngeluh keluhkan perlu harusnya seharusnya rt rw gg saya sy aku gue gw gua kami kmi tidak tdk tak
    gak ga gk nggak ngga enggak engga ndak kagak belum blm blum bukan masih kurang lama
    """
)

#: Asking for information: a post the model finds no complaint in may still be a citizen's question
#: about a service, which an office answers. Matched as written.
QUESTION = _lexicon(
    """
    tanya bertanya nanya menanyakan tanyakan pertanyaan apakah bagaimana gimana gmn dimana berapa brp info
    informasi infonya syarat persyaratan prosedur caranya mekanisme
    """
)

PROBLEM_FLAG, POSITIVE_FLAG, TOPIC_FLAG, GREETING_FLAG, SPAM_FLAG = 1, 2, 4, 8, 16
#: Bits only the rules read, of the word itself (no affix stripping): a number, a strong or a weak spam word.
DIGIT_BIT, SPAM_STRONG_BIT, SPAM_WEAK_BIT = 32, 64, 128
#: Bits of the rule for a report of an authority's response (:func:`classify.clarity_rules.reports_response`).
AUTHORITY_BIT, RESPONSE_BIT, OWN_VOICE_BIT = 256, 512, 1024
QUESTION_BIT = 2048
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe", "di", "ter", "ber", "ke", "se")
_SUFFIXES = ("nya", "lah", "kah", "kan", "an", "i")


def roots(word: str) -> tuple[str, ...]:
    """The word and what it may be without its affixes: "kerusakan" -> (..., "rusak")."""
    out = [word.split("-", 1)[0]] if "-" in word else [word]  # "rusak-rusak", "anak-anak"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)])
    for base in tuple(out):
        for prefix in _PREFIXES:
            if base.startswith(prefix) and len(base) - len(prefix) >= 3:
                out.append(base[len(prefix) :])
    return tuple(out)


@lru_cache(maxsize=65536)
def flags(word: str) -> int:
    """Which lexicons hold the word or one of its roots, as PROBLEM_FLAG | POSITIVE_FLAG | ... bits."""
    bits = 0
    for root in roots(word):
        bits |= (
            PROBLEM_FLAG * (root in PROBLEM)
            | POSITIVE_FLAG * (root in POSITIVE)
            | TOPIC_FLAG * (root in TOPIC)
            | SPAM_FLAG * (root in SPAM_STRONG or root in SPAM_WEAK)
        )
    return bits | GREETING_FLAG * (word in GREETING)


def word_bits(word: str) -> int:
    """:func:`flags` plus the rules' own bits: one cached look-up per word serves the rules and the features."""
    return WORD_BITS[word]


class _BitsCache(dict):
    """word → :func:`word_bits`; a plain dict look-up (``map(WORD_BITS.__getitem__, words)`` runs in C,
    about twice as fast as through ``lru_cache``), forgetting everything when full (bounded)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= 65536:
            self.clear()
        bits = self[word] = (
            flags(word)
            | DIGIT_BIT * word.isdigit()
            | SPAM_STRONG_BIT * (word in SPAM_STRONG)
            | SPAM_WEAK_BIT * (word in SPAM_WEAK)
            | AUTHORITY_BIT * (word in AUTHORITY)
            | RESPONSE_BIT * any(root in RESPONSE for root in roots(word))
            | OWN_VOICE_BIT * (word in OWN_VOICE)
            | QUESTION_BIT * (word in QUESTION)
        )
        return bits


WORD_BITS = _BitsCache()
