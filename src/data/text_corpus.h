/* text_corpus.h -- plain-text corpora for masked-language-model pre-training
 * (asa-spec 11): files of one sentence or paragraph per line, blank lines
 * between documents, read as a stream (never the whole file), tokenised with
 * the WordPiece tokenizer and packed into sequences [CLS] ... [SEP].
 *
 * Reading. Each file is read through one buffer of buffer_bytes: a line that
 * fits is one "piece"; a longer line is cut into pieces of at most
 * buffer_bytes, each cut after the last ASCII whitespace byte of the buffer
 * (the tokenizer splits words at whitespace, so the pieces' tokens are the
 * line's tokens), or, in a run of buffer_bytes bytes without whitespace,
 * after the last complete UTF-8 character (the only case where the tokens may
 * differ from tokenising the whole line: a word is cut in two; with the
 * default buffer that takes 1 MiB without a space, which is not text). A
 * UTF-8 byte-order mark at the start of a file is skipped;
 * "\r\n" ends a line like "\n". Invalid UTF-8 is what the tokenizer makes of
 * it (each invalid byte vanishes, tokenizer.h). A NUL byte is an error
 * (ASACL_ERR_FORMAT, file:line): text files have none, and a UTF-16 or
 * binary file would otherwise be read as something it is not.
 *
 * Documents. A line holding only whitespace (space, \t, \r, \v, \f) ends a
 * document, as does the end of a file; several blank lines in a row are one
 * boundary. Documents are numbered 0, 1, ... over all files in order.
 *
 * Packing: the tokens of a document, its lines joined, fill sequences
 *   [CLS] t_1 ... t_n [SEP] (segment 0) of n = max_seq_len - 2 tokens; the
 *   document's last sequence holds what is left (shorter, then padded); a
 *   sequence never spans two documents; no token is dropped. This is
 *   Hugging Face run_mlm's group_texts (concatenate, cut into blocks) kept
 *   inside documents, as RoBERTa's DOC-SENTENCES input keeps inputs inside
 *   one document. BERT's create_pretraining_data packs whole sentences
 *   instead (and draws shorter targets 10% of the time and segment pairs for
 *   next-sentence prediction, which asacl does not train). We cut at the
 *   token rather than the line because lines are read in pieces of a bounded
 *   buffer: a whole-line rule would need the whole line's tokens before
 *   placing its first, and the sequences would then depend on the buffer
 *   size; this rule gives the same sequences for every buffer size, and no
 *   sequence is left short of a line that did not fit.
 * The result is a pure function of the files, the vocabulary and the
 * options: no randomness, the same sequences on every run.
 *
 * Held-out split. With valid_fraction f > 0, document d belongs to the held
 * out split when u(seed, d) < f, u uniform in [0, 1) from splitmix64 of
 * seed and d; TEXT_SPLIT_TRAIN yields the other documents, TEXT_SPLIT_VALID
 * those, TEXT_SPLIT_ALL every document. A separate validation file is
 * simply a second corpus (TEXT_SPLIT_ALL).
 *
 * Resume. text_corpus_tell gives the position after the last sequence (file,
 * byte offset of the piece to continue, its line, tokens of it already used,
 * document state, epoch); text_corpus_seek on a corpus opened with the same
 * files and options continues exactly there. */
#ifndef ASACL_DATA_TEXT_CORPUS_H
#define ASACL_DATA_TEXT_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"
#include "data/tokenizer.h"

typedef enum text_split {
    TEXT_SPLIT_ALL = 0,   /* every document */
    TEXT_SPLIT_TRAIN = 1, /* documents not held out */
    TEXT_SPLIT_VALID = 2, /* the held-out documents */
} text_split;

#define TEXT_CORPUS_BUFFER_DEFAULT (1u << 20) /* 1 MiB */
#define TEXT_CORPUS_BUFFER_MIN 16

typedef struct text_corpus_opts {
    int max_seq_len;       /* tokens per sequence, [CLS] and [SEP] included; >= 3 */
    text_split split;
    double valid_fraction; /* share of documents held out, 0 <= f < 1 */
    uint64_t seed;         /* which documents are held out */
    size_t buffer_bytes;   /* read buffer (longest piece); 0: the default;
                              at least TEXT_CORPUS_BUFFER_MIN */
} text_corpus_opts;

/* Where the stream stands between two sequences. */
typedef struct text_corpus_pos {
    uint64_t epoch;      /* passes completed (text_corpus_rewind) */
    uint64_t file;       /* index of the file being read */
    uint64_t offset;     /* byte offset of the piece to continue (or the next byte) */
    uint64_t line;       /* 1-based line of that piece */
    uint64_t skip;       /* tokens of that piece already in sequences (0: none pending) */
    uint64_t mid_line;   /* the piece continues a line cut by the buffer */
    uint64_t doc;        /* index of the current (or next) document */
    uint64_t doc_open;   /* the current document has had a non-blank line */
    uint64_t sequences;  /* sequences yielded in this pass */
    uint64_t buffer_bytes; /* the reader's buffer, checked on seek */
} text_corpus_pos;

typedef struct text_corpus text_corpus;

/* Opens n files (read lazily, one at a time). The tokenizer must outlive
 * the corpus. ASACL_ERR_INVALID_ARG for bad options; ASACL_ERR_IO when a
 * file cannot be opened. */
asacl_status text_corpus_open(const char *const *paths, size_t n, const wp_tokenizer *tok,
                              const text_corpus_opts *o, text_corpus **out);
void text_corpus_close(text_corpus *c);

/* The next sequence: ids [max_seq_len] get [CLS] ... [SEP] and then [PAD];
 * *length is the number of real tokens. At the end of a pass *length is 0
 * and ids are all [PAD] (call text_corpus_rewind for another pass); a pass
 * that yields no sequence at all is ASACL_ERR_FORMAT ("no text"). Errors
 * name the file and line. */
asacl_status text_corpus_next(text_corpus *c, int32_t *ids, int *length);
/* Starts the next pass (epoch + 1) at the first file. */
asacl_status text_corpus_rewind(text_corpus *c);

void text_corpus_tell(const text_corpus *c, text_corpus_pos *pos);
/* ASACL_ERR_INVALID_ARG when pos cannot come from this corpus (file index,
 * buffer size); ASACL_ERR_IO / ASACL_ERR_FORMAT from re-reading the piece. */
asacl_status text_corpus_seek(text_corpus *c, const text_corpus_pos *pos);

/* Whether document d is held out (the rule above). */
int text_corpus_held_out(uint64_t seed, double valid_fraction, uint64_t d);

#endif /* ASACL_DATA_TEXT_CORPUS_H */
