/*
 * Reading the configuration and guest images from the ESP, relative to the
 * directory hv.efi was started from, so one ESP can hold several setups.
 */
#include "boot/efi/efi_loader.h"

#define MAX_FILE_SIZE (512ULL * MiB)

static void image_directory(struct loader *ld)
{
	CHAR16 *path = DevicePathToStr(ld->loaded_image->FilePath);
	UINTN len = path ? StrLen(path) : 0, cut = 0;

	for (UINTN i = 0; i < len && i + 1 < LOADER_PATH_LEN; i++)
		if (path[i] == L'\\' || path[i] == L'/')
			cut = i + 1;
	for (UINTN i = 0; i < cut; i++)
		ld->dir[i] = path[i] == L'/' ? L'\\' : path[i];
	if (cut == 0)
		ld->dir[cut++] = L'\\';
	ld->dir[cut] = 0;
	if (path)
		FreePool(path);
}

EFI_STATUS esp_open(struct loader *ld)
{
	ld->root = LibOpenRoot(ld->loaded_image->DeviceHandle);
	if (!ld->root)
		return EFI_NOT_FOUND;
	image_directory(ld);
	return EFI_SUCCESS;
}

static EFI_STATUS full_path(struct loader *ld, const char *rel, CHAR16 *out, UINTN out_len)
{
	UINTN n = StrLen(ld->dir);

	if (n >= out_len)
		return EFI_BUFFER_TOO_SMALL;
	StrCpy(out, ld->dir);
	for (; *rel; rel++) {
		if (n + 1 >= out_len)
			return EFI_BUFFER_TOO_SMALL;
		out[n++] = *rel == '/' ? L'\\' : (CHAR16)(unsigned char)*rel;
	}
	out[n] = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS read_whole(struct loader *ld, EFI_FILE_HANDLE f, uint64_t *base, uint64_t *size)
{
	EFI_FILE_INFO *info = LibFileInfo(f);
	EFI_STATUS st;
	UINTN len;

	if (!info)
		return EFI_DEVICE_ERROR;
	len = info->FileSize;
	FreePool(info);
	if (len > MAX_FILE_SIZE)
		return EFI_BAD_BUFFER_SIZE;
	st = loader_alloc(ld, ~0ULL, len ? len : 1, BOOT_MEM_MODULE, base);
	if (EFI_ERROR(st))
		return st;
	st = f->Read(f, &len, (void *)(UINTN)*base);
	*size = len;
	return st;
}

EFI_STATUS esp_read_file(struct loader *ld, const char *rel_path, uint64_t *base, uint64_t *size)
{
	CHAR16 path[LOADER_PATH_LEN];
	EFI_FILE_HANDLE f;
	EFI_STATUS st;

	st = full_path(ld, rel_path, path, ARRAY_SIZE(path));
	if (EFI_ERROR(st))
		return st;
	st = ld->root->Open(ld->root, &f, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	st = read_whole(ld, f, base, size);
	f->Close(f);
	return st;
}
