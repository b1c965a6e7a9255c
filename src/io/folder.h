/* folder.h -- replacing a whole folder atomically: the new content is
 * written into a temporary sibling folder, synced, and swapped in, so at any
 * moment `dir` holds the old content or the new, never a mix. */
#ifndef ASACL_IO_FOLDER_H
#define ASACL_IO_FOLDER_H

#include "asacl.h"

typedef asacl_status (*folder_writer)(const char *tmp_dir, void *user);

/* Calls write(tmp) to fill a fresh temporary folder, then puts it at dir. */
asacl_status folder_replace(const char *dir, folder_writer write, void *user);
/* Removes a folder of plain files; missing is fine. */
void folder_remove(const char *dir);

#endif
