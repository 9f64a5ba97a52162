package jobs

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"time"
)

// zipWriter writes a ZIP archive of already deflated entries in one pass.
// archive/zip keeps a header struct per entry in memory until Close (about
// 250 bytes each: 25 MB for 100,000 files); this writer spools the central
// directory to a temporary file instead and appends it at the end, so its
// memory does not depend on the number of entries. It writes what
// archive/zip's CreateRaw writes for such entries (deflate, sizes known,
// no data descriptor, the extended-timestamp extra field), and ZIP64 end
// records when there are 65,535 entries or more, or offsets past 4 GiB.
type zipWriter struct {
	w       io.Writer
	off     uint64 // bytes written to w
	cdFile  *os.File
	cd      *bufio.Writer
	cdSize  uint64
	entries uint64
	dosDate uint16
	dosTime uint16
	mtime   uint32
	buf     []byte
}

const (
	zipLocalSig      = 0x04034b50
	zipCentralSig    = 0x02014b50
	zipEndSig        = 0x06054b50
	zip64EndSig      = 0x06064b50
	zip64LocatorSig  = 0x07064b50
	zipVersion20     = 20
	zipVersion45     = 45
	zipCreatorUnix   = 3
	zipMethodStore   = 0
	zipMethodDeflate = 8
	zipExtTimeID     = 0x5455
	zip64ExtraID     = 0x0001
	// zipEntryMode is a Unix regular file with mode 0600 in the high half
	// of the external attributes (creator 3 = Unix). With 0 there, unzip
	// extracted every token file as mode 0000, unreadable by its owner;
	// 0600 keeps the files as private as the ZIP itself.
	zipEntryMode = (0o100000 | 0o600) << 16
)

// newZipWriter writes to w and spools the central directory to cdPath
// (created, then removed by close or abort).
func newZipWriter(w io.Writer, cdPath string, modified time.Time) (*zipWriter, error) {
	f, err := os.OpenFile(cdPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	z := &zipWriter{w: w, cdFile: f, cd: bufio.NewWriterSize(f, 64<<10)}
	z.dosDate, z.dosTime = timeToMsDos(modified)
	z.mtime = uint32(modified.Unix())
	return z, nil
}

func timeToMsDos(t time.Time) (fDate uint16, fTime uint16) {
	fDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	fTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return
}

type zbuf []byte

func (b *zbuf) u16(v uint16) { *b = binary.LittleEndian.AppendUint16(*b, v) }
func (b *zbuf) u32(v uint32) { *b = binary.LittleEndian.AppendUint32(*b, v) }
func (b *zbuf) u64(v uint64) { *b = binary.LittleEndian.AppendUint64(*b, v) }

// add writes one entry: its local header and its deflated data.
func (z *zipWriter) add(name string, crc uint32, compressed []byte, size uint64) error {
	return z.addMethod(name, zipMethodDeflate, crc, compressed, size)
}

// addStored writes one entry stored as is (method 0): for data that is
// compressed already, such as a PNG image.
func (z *zipWriter) addStored(name string, crc uint32, data []byte) error {
	return z.addMethod(name, zipMethodStore, crc, data, uint64(len(data)))
}

func (z *zipWriter) addMethod(name string, method uint16, crc uint32, compressed []byte, size uint64) error {
	if err := z.header(name, method, crc, uint64(len(compressed)), size); err != nil {
		return err
	}
	if _, err := z.w.Write(compressed); err != nil {
		return err
	}
	z.off += uint64(len(compressed))
	return nil
}

// addFrom writes one entry whose csize deflated bytes come from r.
func (z *zipWriter) addFrom(name string, crc uint32, r io.Reader, csize, size uint64) error {
	if err := z.header(name, zipMethodDeflate, crc, csize, size); err != nil {
		return err
	}
	n, err := io.Copy(z.w, r)
	if err != nil {
		return err
	}
	if uint64(n) != csize {
		return errors.New("zip: an entry's data is short")
	}
	z.off += csize
	return nil
}

// header writes an entry's local header and spools its central directory
// record.
func (z *zipWriter) header(name string, method uint16, crc uint32, csize, size uint64) error {
	if len(name) > math.MaxUint16 || csize >= math.MaxUint32 || size >= math.MaxUint32 {
		return errors.New("zip: entry name or size out of range")
	}
	b := zbuf(z.buf[:0])
	b.u32(zipLocalSig)
	b.u16(zipVersion20)
	b.u16(0) // flags: names are ASCII
	b.u16(method)
	b.u16(z.dosTime)
	b.u16(z.dosDate)
	b.u32(crc)
	b.u32(uint32(csize))
	b.u32(uint32(size))
	b.u16(uint16(len(name)))
	b.u16(9) // extended timestamp
	b = append(b, name...)
	b.u16(zipExtTimeID)
	b.u16(5)
	b = append(b, 1) // flags: modification time
	b.u32(z.mtime)
	z.buf = b
	if _, err := z.w.Write(b); err != nil {
		return err
	}
	offset := z.off
	z.off += uint64(len(b))

	zip64 := offset >= math.MaxUint32
	c := zbuf(z.buf[:0])
	c.u32(zipCentralSig)
	needed := uint16(zipVersion20)
	extra := uint16(9)
	if zip64 {
		needed = zipVersion45
		extra += 4 + 8
	}
	c.u16(zipCreatorUnix<<8 | needed)
	c.u16(needed)
	c.u16(0)
	c.u16(method)
	c.u16(z.dosTime)
	c.u16(z.dosDate)
	c.u32(crc)
	c.u32(uint32(csize))
	c.u32(uint32(size))
	c.u16(uint16(len(name)))
	c.u16(extra)
	c.u16(0)            // comment
	c.u16(0)            // disk
	c.u16(0)            // internal attributes
	c.u32(zipEntryMode) // external attributes: a regular file, rw-------
	if zip64 {
		c.u32(math.MaxUint32)
	} else {
		c.u32(uint32(offset))
	}
	c = append(c, name...)
	if zip64 {
		c.u16(zip64ExtraID)
		c.u16(8)
		c.u64(offset)
	}
	c.u16(zipExtTimeID)
	c.u16(5)
	c = append(c, 1)
	c.u32(z.mtime)
	z.buf = c
	if _, err := z.cd.Write(c); err != nil {
		return err
	}
	z.cdSize += uint64(len(c))
	z.entries++
	return nil
}

// close appends the central directory and the end records, and removes the
// spool file.
func (z *zipWriter) close() error {
	defer z.abort()
	if err := z.cd.Flush(); err != nil {
		return err
	}
	if _, err := z.cdFile.Seek(0, io.SeekStart); err != nil {
		return err
	}
	cdOffset := z.off
	n, err := io.Copy(z.w, z.cdFile)
	if err != nil {
		return err
	}
	if uint64(n) != z.cdSize {
		return errors.New("zip: the central directory spool is short")
	}
	z.off += z.cdSize
	records, size, offset := z.entries, z.cdSize, cdOffset
	b := zbuf(z.buf[:0])
	if records >= math.MaxUint16 || size >= math.MaxUint32 || offset >= math.MaxUint32 {
		end64 := z.off
		b.u32(zip64EndSig)
		b.u64(44) // size of the rest of this record
		b.u16(zipCreatorUnix<<8 | zipVersion45)
		b.u16(zipVersion45)
		b.u32(0) // this disk
		b.u32(0) // the central directory's disk
		b.u64(records)
		b.u64(records)
		b.u64(size)
		b.u64(offset)
		b.u32(zip64LocatorSig)
		b.u32(0)
		b.u64(end64)
		b.u32(1) // disks
		records, size, offset = math.MaxUint16, math.MaxUint32, math.MaxUint32
	}
	b.u32(zipEndSig)
	b.u16(0)
	b.u16(0)
	b.u16(uint16(records))
	b.u16(uint16(records))
	b.u32(uint32(size))
	b.u32(uint32(offset))
	b.u16(0) // comment
	z.buf = b
	_, err = z.w.Write(b)
	return err
}

// abort removes the spool file.
func (z *zipWriter) abort() {
	if z.cdFile != nil {
		z.cdFile.Close()
		os.Remove(z.cdFile.Name())
		z.cdFile = nil
	}
}
