package inventory

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/swtoken/swtoken/model"
)

// ReadTokenFile reads one token record file for an import. The error is
// the rejection reason, without the path (the rejection names the file):
// "no such file or directory", a path that is not a regular file (a
// directory, a FIFO, a device), or a file over MaxTokenFileSize (tooLarge,
// naming its size).
//
// It never reads more than MaxTokenFileSize+1 bytes, whatever the file:
// the size is checked before anything is read, and the read goes through
// a limit, so a file that grows meanwhile cannot make it read more. It
// never blocks on a FIFO: the path is checked with Stat before it is
// opened, and it is opened non-blocking (and without becoming a
// controlling terminal), then checked again on the open file.
//
// The caller clears the returned bytes once it is done with them.
func ReadTokenFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, pathReason(err)
	}
	if err := checkTokenFileInfo(fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, pathReason(err)
	}
	defer f.Close()
	// Check the open file again: the path may have been replaced since
	// the Stat.
	if fi, err = f.Stat(); err != nil {
		return nil, pathReason(err)
	}
	if err := checkTokenFileInfo(fi); err != nil {
		return nil, err
	}
	// One buffer, so that the content exists once and the caller can
	// clear it; MaxTokenFileSize+1 bytes, so that a file that grew since
	// the check (or lied about its size) is noticed without reading more.
	data := make([]byte, MaxTokenFileSize+1)
	n, err := io.ReadFull(io.LimitReader(f, int64(len(data))), data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		clear(data)
		return nil, pathReason(err)
	}
	if n > MaxTokenFileSize {
		clear(data)
		return nil, fmt.Errorf("the file grew past %d bytes while it was read, larger than 64 KiB: token readers (stoken) read only the first %d bytes of a file, so this cannot be a token file they can use",
			MaxTokenFileSize, MaxTokenFileSize)
	}
	return data[:n], nil
}

// checkTokenFileInfo refuses what cannot be a token file before it is
// read: anything but a regular file, and a file over MaxTokenFileSize.
func checkTokenFileInfo(fi fs.FileInfo) error {
	m := fi.Mode()
	if !m.IsRegular() {
		return fmt.Errorf("is %s, not a regular file; token record files are regular files", model.FileKind(m))
	}
	if fi.Size() > MaxTokenFileSize {
		return errors.New(tooLarge(fi.Size()))
	}
	return nil
}

// pathReason is the reason of a file system error without the path.
func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
