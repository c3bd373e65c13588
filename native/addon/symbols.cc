// ELF symbolisation of user-space addresses for the profilers, with elfutils'
// libdwfl (what perf and systemtap use): .symtab, else separate debug info
// from /usr/lib/debug (by build-id, then by .gnu_debuglink with its CRC),
// else .dynsym; C++ names demangled. Kernel addresses are JS's (kallsyms).
//
// elfSymbolize(path, fileOffsets) runs on the libuv thread pool. Inputs are
// FILE offsets (JS computes them from /proc/PID/maps); they are mapped to
// ELF virtual addresses through the PT_LOAD program headers, which handles
// PIE and shared libraries the same way as fixed-address executables.
//
// Hostile input: the file may belong to any user. It is opened O_NONBLOCK
// (a FIFO cannot hang the open) and must be a regular file starting with the
// ELF magic (so libdwfl never decompresses it). A file that a user other
// than root could write is read into memory instead of mapped: truncating a
// mapped file would kill ostop with SIGBUS. Debug info is looked up only in
// /usr/lib/debug, only in root-owned files, validated by build-id or CRC;
// never through debuginfod (no network, nothing driven by the environment:
// the standard libdwfl callbacks, which read DEBUGINFOD_URLS, are not used).
//
// Opened modules are cached by (st_dev, st_ino, st_size, st_mtime), at most
// kCacheMax of them and kCopiesMax bytes of copies, least recently used
// evicted; each has its own mutex (a Dwfl is not thread-safe), the cache one
// more.
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <fcntl.h>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

namespace ostop {
namespace {

constexpr const char *kDebugRoot = "/usr/lib/debug";
constexpr size_t kCacheMax = 64;
// A file a user could modify is copied into memory; larger ones are refused,
// and the cache keeps at most kCopiesMax bytes of such copies.
constexpr off_t kCopyMax = (off_t)256 << 20;
constexpr size_t kCopiesMax = (size_t)1 << 30;
constexpr size_t kNameMax = 4096;
constexpr size_t kOffsetsMax = 1u << 20;

struct FileKey {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_s, mtime_ns;
	bool operator==(const FileKey &o) const
	{
		return dev == o.dev && ino == o.ino && size == o.size && mtime_s == o.mtime_s && mtime_ns == o.mtime_ns;
	}
};

struct Load {
	uint64_t offset, filesz, vaddr;
};

// A code symbol of a module's symbol table, in Dwfl addresses (bias added).
// `name` points into the ELF's string table, which lives as long as the Dwfl.
struct CodeSym {
	GElf_Addr start, size;
	const char *name;
	int rank; // binding: global 3, weak 2, local 1 (which name of several at one address)
};

// One opened ELF file: its Dwfl (one module), what the lookups need, and
// the bytes when it was read into memory. Its Dwfl is used under `mu` only.
struct ElfModule {
	std::mutex mu;
	FileKey key{};
	Dwfl *dwfl = nullptr;
	Dwfl_Module *mod = nullptr;
	GElf_Addr bias = 0;
	std::vector<Load> loads;
	std::string build_id;
	std::string origin_dir; // the file's directory for .gnu_debuglink, "" = unknown
	std::vector<char> bytes; // the copy (files a user could write); outlives the Dwfl
	// The code symbols sorted by address, built on the first lookup: one
	// binary search per offset (dwfl_module_addrinfo scans the whole table for
	// each one: ~3 ms per offset in node's ~10^5 symbols).
	std::vector<CodeSym> syms;
	bool syms_built = false;
	~ElfModule()
	{
		if (dwfl)
			dwfl_end(dwfl);
	}
};

std::mutex g_cache_mu;
std::list<std::shared_ptr<ElfModule>> g_cache; // most recently used first

std::string errstr(int err)
{
	return strerror(err);
}

// A file only root can change: safe to map.
bool root_only(const struct stat &st)
{
	return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

std::string hex(const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	std::string s;
	s.reserve(n * 2);
	for (size_t i = 0; i < n; i++) {
		s += d[p[i] >> 4];
		s += d[p[i] & 15];
	}
	return s;
}

// Opens a candidate debug file under /usr/lib/debug: a root-owned regular
// ELF file whose build-id is `want` (when given) or whose CRC32 is `crc`.
// Returns the fd (libdwfl takes it) or -1.
int open_debug_file(const std::string &path, const unsigned char *want, size_t want_len, bool check_crc, GElf_Word crc)
{
	int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && root_only(st) && st.st_size >= 64;
	if (ok && want) {
		Elf *e = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
		const void *id = nullptr;
		ssize_t n = e ? dwelf_elf_gnu_build_id(e, &id) : -1;
		ok = n > 0 && (size_t)n == want_len && memcmp(id, want, want_len) == 0;
		if (e)
			elf_end(e);
	}
	if (ok && check_crc) {
		uLong c = crc32(0L, Z_NULL, 0);
		std::vector<unsigned char> buf(1 << 16);
		off_t pos = 0;
		for (;;) {
			ssize_t r = pread(fd, buf.data(), buf.size(), pos);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				ok = false;
				break;
			}
			if (r == 0)
				break;
			c = crc32(c, buf.data(), (uInt)r);
			pos += r;
		}
		ok = ok && (GElf_Word)c == crc;
	}
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

// A .gnu_debuglink name that is a plain file name.
bool plain_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 256 && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

// libdwfl's find_debuginfo callback: /usr/lib/debug only (build-id, then
// debuglink), never debuginfod.
int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *, Dwarf_Addr, const char *, const char *debuglink,
		   GElf_Word crc, char **debuginfo_file_name)
{
	const ElfModule *m = userdata ? (const ElfModule *)*userdata : nullptr;
	const unsigned char *bits = nullptr;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);
	if (n >= 2) {
		std::string id = hex(bits, (size_t)n);
		std::string p = std::string(kDebugRoot) + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
		int fd = open_debug_file(p, bits, (size_t)n, false, 0);
		if (fd >= 0) {
			*debuginfo_file_name = strdup(p.c_str());
			return fd;
		}
	}
	if (debuglink && plain_name(debuglink) && m && !m->origin_dir.empty()) {
		std::string p = std::string(kDebugRoot) + m->origin_dir + "/" + debuglink;
		int fd = open_debug_file(p, nullptr, 0, true, crc);
		if (fd >= 0) {
			*debuginfo_file_name = strdup(p.c_str());
			return fd;
		}
	}
	return -1;
}

// Modules are reported with their file: libdwfl never has to find one.
int find_elf(Dwfl_Module *, void **, const char *, Dwarf_Addr, char **, Elf **)
{
	return -1;
}

const Dwfl_Callbacks *callbacks()
{
	static char *no_path = nullptr;
	static Dwfl_Callbacks cb = [] {
		Dwfl_Callbacks c;
		memset(&c, 0, sizeof(c));
		c.find_elf = find_elf;
		c.find_debuginfo = find_debuginfo;
		c.section_address = dwfl_offline_section_address;
		c.debuginfo_path = &no_path;
		return c;
	}();
	return &cb;
}

// The directory a file came from, for /usr/lib/debug/<dir>/<debuglink>:
// /proc/PID/root/<path> -> dirname(<path>); /proc/PID/map_files/<range> ->
// dirname of its link (the path in the process's mount namespace); another
// absolute path -> its dirname. "" when unknown or not a clean path.
std::string origin_dir(const std::string &path)
{
	std::string p;
	unsigned pid = 0;
	int used = 0;
	if (sscanf(path.c_str(), "/proc/%u/root%n", &pid, &used) == 1 && used > 0 && path[used] == '/') {
		p = path.substr(used);
	} else if (sscanf(path.c_str(), "/proc/%u/map_files/%n", &pid, &used) == 1 && used > 0) {
		char buf[4096];
		ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
		if (n <= 0)
			return "";
		p.assign(buf, (size_t)n);
		const std::string del = " (deleted)";
		if (p.size() > del.size() && p.compare(p.size() - del.size(), del.size(), del) == 0)
			p.resize(p.size() - del.size());
	} else if (path.rfind("/proc/", 0) == 0) {
		return "";
	} else {
		p = path;
	}
	if (p.empty() || p[0] != '/' || p.find("/../") != std::string::npos || p.find("/./") != std::string::npos ||
	    p.find('\n') != std::string::npos)
		return "";
	size_t slash = p.rfind('/');
	return slash == 0 ? "" : p.substr(0, slash);
}

const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

// Reads the whole file (a copy for files a user could write).
bool read_all(int fd, off_t size, std::vector<char> &out, std::string &error)
{
	out.resize((size_t)size);
	off_t pos = 0;
	while (pos < size) {
		ssize_t r = pread(fd, out.data() + pos, (size_t)(size - pos), pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = "cannot read the file: " + errstr(errno);
			return false;
		}
		if (r == 0) {
			error = "the file shrank while it was read";
			return false;
		}
		pos += r;
	}
	return true;
}

// Builds the module of an open, checked file (takes fd). nullptr + error on failure.
std::shared_ptr<ElfModule> open_module(int fd, const struct stat &st, const FileKey &key, const std::string &path,
				       std::string &error)
{
	auto m = std::make_shared<ElfModule>();
	m->key = key;
	m->origin_dir = origin_dir(path);
	m->dwfl = dwfl_begin(callbacks());
	if (!m->dwfl) {
		close(fd);
		error = std::string("libdwfl: ") + dwfl_errmsg(-1);
		return nullptr;
	}
	dwfl_report_begin(m->dwfl);
	if (root_only(st)) {
		m->mod = dwfl_report_offline(m->dwfl, "elf", path.c_str(), fd);
		if (!m->mod)
			close(fd); // taken only on success
	} else {
		if (st.st_size > kCopyMax) {
			close(fd);
			error = "a file a user can modify larger than 256 MiB is not read";
			return nullptr;
		}
		bool ok = read_all(fd, st.st_size, m->bytes, error);
		close(fd);
		if (!ok)
			return nullptr;
		if (memcmp(m->bytes.data(), ELFMAG, SELFMAG) != 0) {
			error = "not an ELF file";
			return nullptr;
		}
		m->mod = dwfl_report_offline_memory(m->dwfl, "elf", path.c_str(), m->bytes.data(), m->bytes.size());
	}
	if (!m->mod) {
		error = std::string("not a usable ELF file: ") + dwfl_errmsg(-1);
		return nullptr;
	}
	dwfl_report_end(m->dwfl, nullptr, nullptr);
	void **ud = nullptr;
	dwfl_module_info(m->mod, &ud, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
	if (ud)
		*ud = m.get();
	Elf *elf = dwfl_module_getelf(m->mod, &m->bias);
	GElf_Ehdr eh;
	if (!elf || !gelf_getehdr(elf, &eh)) {
		error = std::string("not a usable ELF file: ") + dwfl_errmsg(-1);
		return nullptr;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		error = "not an executable or shared object (ELF type " + std::to_string(eh.e_type) + ")";
		return nullptr;
	}
	size_t nph = 0;
	if (elf_getphdrnum(elf, &nph) != 0)
		nph = 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_filesz > 0)
			m->loads.push_back({ ph.p_offset, ph.p_filesz, ph.p_vaddr });
	}
	if (m->loads.empty()) {
		error = "the ELF file has no loadable segment";
		return nullptr;
	}
	const unsigned char *bits = nullptr;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(m->mod, &bits, &vaddr);
	if (n > 0)
		m->build_id = hex(bits, (size_t)n);
	return m;
}

std::shared_ptr<ElfModule> cache_find(const FileKey &k)
{
	std::lock_guard<std::mutex> lock(g_cache_mu);
	for (auto it = g_cache.begin(); it != g_cache.end(); ++it) {
		if ((*it)->key == k) {
			auto m = *it;
			g_cache.erase(it);
			g_cache.push_front(m);
			return m;
		}
	}
	return nullptr;
}

// Inserts m unless another thread did first (then returns that one).
std::shared_ptr<ElfModule> cache_insert(const std::shared_ptr<ElfModule> &m)
{
	std::lock_guard<std::mutex> lock(g_cache_mu);
	for (auto &o : g_cache)
		if (o->key == m->key)
			return o;
	g_cache.push_front(m);
	size_t copies = 0;
	for (auto &o : g_cache)
		copies += o->bytes.size();
	while (g_cache.size() > kCacheMax || (copies > kCopiesMax && g_cache.size() > 1)) {
		copies -= g_cache.back()->bytes.size();
		g_cache.pop_back(); // a worker still using it holds its own reference
	}
	return m;
}

std::string demangle(const char *name)
{
	size_t n = strnlen(name, 1 << 16);
	std::string out;
	if (n >= 2 && name[0] == '_' && name[1] == 'Z' && n < (1 << 16)) {
		int status = -1;
		char *d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
		if (d && status == 0)
			out = d;
		free(d);
	}
	if (out.empty())
		out.assign(name, n);
	if (out.size() > kNameMax)
		out = out.substr(0, kNameMax - 3) + "...";
	return out;
}

struct Symbolized {
	std::string build_id;
	bool has_build_id = false;
	bool root_owned = false;
	std::vector<std::optional<std::string>> names;
	std::vector<double> offsets;
	std::string error;
};

// The sorted code-symbol table of `m` (under m->mu), from the same table
// dwfl_module_addrinfo would search (.symtab, separate debug info, .dynsym).
void build_syms(ElfModule *m)
{
	m->syms_built = true;
	int n = dwfl_module_getsymtab(m->mod);
	if (n <= 0)
		return;
	m->syms.reserve((size_t)n);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr = 0;
		GElf_Word shndx = 0;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx, nullptr, nullptr);
		if (!name || !*name || shndx == SHN_UNDEF)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
			continue;
		if (type == STT_NOTYPE && sym.st_size == 0 && name[0] == '$')
			continue; // ARM mapping symbols ($x, $d): no functions
		int bind = GELF_ST_BIND(sym.st_info);
		int rank = bind == STB_GLOBAL ? 3 : bind == STB_WEAK ? 2 : bind == STB_LOCAL ? 1 : 0;
		m->syms.push_back({ addr, sym.st_size, name, rank });
	}
	// By address; of several names at one address the one shown comes last
	// (find_sym takes the nearest): sized, then global over weak over local,
	// then fewer leading underscores, then the shorter name (perf's choice,
	// e.g. freelocale's __freelocale, not a .localalias).
	auto under = [](const char *n) {
		int k = 0;
		while (n[k] == '_')
			k++;
		return k;
	};
	std::stable_sort(m->syms.begin(), m->syms.end(), [&](const CodeSym &a, const CodeSym &b) {
		if (a.start != b.start)
			return a.start < b.start;
		if ((a.size != 0) != (b.size != 0))
			return a.size == 0;
		if (a.rank != b.rank)
			return a.rank < b.rank;
		int ua = under(a.name), ub = under(b.name);
		if (ua != ub)
			return ua > ub;
		return strlen(a.name) > strlen(b.name);
	});
}

// The symbol holding `addr`: the nearest sized symbol that contains it (a
// few back, for nested and aliased symbols), else the nearest preceding
// sizeless one when no sized symbol lies between (assembly labels), else none.
const CodeSym *find_sym(const ElfModule *m, GElf_Addr addr)
{
	const auto &v = m->syms;
	auto it = std::upper_bound(v.begin(), v.end(), addr, [](GElf_Addr a, const CodeSym &s) { return a < s.start; });
	if (it == v.begin())
		return nullptr;
	auto nearest = it - 1;
	int looked = 0;
	for (auto j = it; j != v.begin() && looked < 32; looked++) {
		--j;
		if (j->size && addr < j->start + j->size)
			return &*j;
	}
	if (nearest->size == 0)
		return &*nearest;
	return nullptr;
}

void symbolize(const std::string &path, const std::vector<double> &in, Symbolized &out)
{
	out.names.assign(in.size(), std::nullopt);
	out.offsets.assign(in.size(), 0);
	int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		out.error = "cannot open the file: " + errstr(errno);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		out.error = "cannot stat the file: " + errstr(errno);
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		out.error = std::string("not a regular file (") + file_kind(st.st_mode) + ")";
		close(fd);
		return;
	}
	unsigned char magic[SELFMAG];
	if (st.st_size < (off_t)sizeof(Elf32_Ehdr) || pread(fd, magic, SELFMAG, 0) != SELFMAG ||
	    memcmp(magic, ELFMAG, SELFMAG) != 0) {
		out.error = "not an ELF file";
		close(fd);
		return;
	}
	out.root_owned = root_only(st);
	FileKey key{ st.st_dev, st.st_ino, st.st_size, (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec };
	std::shared_ptr<ElfModule> m = cache_find(key);
	if (m) {
		close(fd);
	} else {
		m = open_module(fd, st, key, path, out.error);
		if (!m)
			return;
		m = cache_insert(m);
	}

	std::lock_guard<std::mutex> lock(m->mu);
	out.has_build_id = !m->build_id.empty();
	out.build_id = m->build_id;
	for (size_t i = 0; i < in.size(); i++) {
		double d = in[i];
		if (!(d >= 0 && d < 9007199254740992.0) || d != std::floor(d))
			continue;
		uint64_t off = (uint64_t)d;
		const Load *seg = nullptr;
		for (const Load &l : m->loads)
			if (off >= l.offset && off - l.offset < l.filesz) {
				seg = &l;
				break;
			}
		if (!seg) // in the page before a segment's start (mapped, not in p_offset..)
			for (const Load &l : m->loads)
				if (off >= (l.offset & ~(uint64_t)0xfff) && off < l.offset + l.filesz) {
					seg = &l;
					break;
				}
		if (!seg)
			continue;
		GElf_Addr addr = off - seg->offset + seg->vaddr + m->bias;
		if (!m->syms_built)
			build_syms(m.get());
		const CodeSym *cs = find_sym(m.get(), addr);
		if (!cs)
			continue;
		out.names[i] = demangle(cs->name);
		out.offsets[i] = (double)(addr - cs->start);
	}
}

class SymbolizeWorker : public Napi::AsyncWorker {
public:
	SymbolizeWorker(Napi::Env env, std::string path, std::vector<double> offsets)
		: Napi::AsyncWorker(env, "ostop:elfSymbolize"), deferred_(Napi::Promise::Deferred::New(env)),
		  path_(std::move(path)), offsets_(std::move(offsets))
	{
	}
	Napi::Promise Promise() { return deferred_.Promise(); }

	void Execute() override
	{
		try {
			symbolize(path_, offsets_, r_);
		} catch (const std::bad_alloc &) {
			r_.error = "out of memory";
		}
	}

	void OnOK() override
	{
		Napi::Env env = Env();
		Napi::Object o = Napi::Object::New(env);
		o.Set("buildId", r_.has_build_id ? Napi::Value(Napi::String::New(env, r_.build_id)) : env.Null());
		o.Set("rootOwned", Napi::Boolean::New(env, r_.root_owned));
		Napi::Array names = Napi::Array::New(env, r_.names.size());
		Napi::Array offs = Napi::Array::New(env, r_.offsets.size());
		for (size_t i = 0; i < r_.names.size(); i++) {
			names.Set((uint32_t)i, r_.names[i] ? Napi::Value(Napi::String::New(env, *r_.names[i])) : env.Null());
			offs.Set((uint32_t)i, Napi::Number::New(env, r_.offsets[i]));
		}
		o.Set("names", names);
		o.Set("symOffsets", offs);
		if (!r_.error.empty())
			o.Set("error", r_.error);
		deferred_.Resolve(o);
	}

	void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

private:
	Napi::Promise::Deferred deferred_;
	std::string path_;
	std::vector<double> offsets_;
	Symbolized r_;
};

} // namespace

// elfSymbolize(path, fileOffsets: Float64Array | number[]) ->
//   Promise<{ buildId: string | null, rootOwned: boolean,
//             names: (string | null)[], symOffsets: number[], error?: string }>
// rootOwned: the file is root's and nobody else can write it (so its build
// id can key a cache shared across processes; another user's file could
// carry any build id).
// Bad arguments throw; a file that cannot be used resolves with `error` set
// and every name null.
Napi::Value ElfSymbolize(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() < 2 || !info[0].IsString())
		throw Napi::TypeError::New(env, "elfSymbolize(path, fileOffsets): path must be a string");
	std::string path = info[0].As<Napi::String>().Utf8Value();
	if (path.empty() || path.find('\0') != std::string::npos)
		throw Napi::TypeError::New(env, "elfSymbolize: path must be a non-empty string without NUL");
	std::vector<double> offs;
	if (info[1].IsTypedArray()) {
		Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
		if (ta.TypedArrayType() != napi_float64_array)
			throw Napi::TypeError::New(env, "elfSymbolize: fileOffsets must be a Float64Array or an array of numbers");
		Napi::Float64Array a = info[1].As<Napi::Float64Array>();
		offs.assign(a.Data(), a.Data() + a.ElementLength());
	} else if (info[1].IsArray()) {
		Napi::Array a = info[1].As<Napi::Array>();
		offs.reserve(a.Length());
		for (uint32_t i = 0; i < a.Length(); i++) {
			Napi::Value v = a.Get(i);
			if (!v.IsNumber())
				throw Napi::TypeError::New(env, "elfSymbolize: fileOffsets[" + std::to_string(i) + "] is not a number");
			offs.push_back(v.As<Napi::Number>().DoubleValue());
		}
	} else {
		throw Napi::TypeError::New(env, "elfSymbolize: fileOffsets must be a Float64Array or an array of numbers");
	}
	if (offs.size() > kOffsetsMax)
		throw Napi::RangeError::New(env, "elfSymbolize: at most 1048576 offsets per call");
	static std::once_flag elf_init;
	std::call_once(elf_init, [] { elf_version(EV_CURRENT); });
	auto *w = new SymbolizeWorker(env, std::move(path), std::move(offs));
	Napi::Promise p = w->Promise();
	w->Queue();
	return p;
}

} // namespace ostop
