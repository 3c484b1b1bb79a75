package dest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ferry-migrate/ferry/internal/secret"
)

// S3PartSize is the upload part size: a file of unknown length is sent as
// a multipart upload, one part in memory at a time, so files up to 10,000
// parts (320 GiB) fit.
const S3PartSize = 32 << 20

// S3Config says where an S3-compatible store is and how to sign in.
type S3Config struct {
	Endpoint  string         // host or host:port, no scheme
	Bucket    string         // must exist
	Prefix    string         // key prefix ("ferry/prod"); empty for the bucket's root
	Region    string         // optional
	AccessKey secret.String  // access key id
	SecretKey secret.String  // secret access key
	PlainHTTP bool           // no TLS: allowed only for a loopback endpoint
	RootCAs   *x509.CertPool // CAs to trust instead of the system's (a private CA)
}

// S3 is a prefix in a bucket of an S3-compatible object store.
type S3 struct {
	cfg    S3Config
	client *minio.Client
}

var _ Store = (*S3)(nil)

// OpenS3 connects and checks that the bucket exists. It refuses plain
// HTTP unless the endpoint is a loopback address.
func OpenS3(ctx context.Context, c S3Config) (*S3, error) {
	c.Prefix = strings.Trim(c.Prefix, "/")
	s := &S3{cfg: c}
	if c.PlainHTTP && !isLoopback(c.Endpoint) {
		return nil, fmt.Errorf("%s: plain HTTP is allowed only on a loopback address: use TLS", s)
	}
	if c.AccessKey.IsZero() || c.SecretKey.IsZero() {
		return nil, fmt.Errorf("%s: give an access key and a secret key", s)
	}
	tr, err := minio.DefaultTransport(!c.PlainHTTP)
	if err != nil {
		return nil, err
	}
	if c.RootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	}
	s.client, err = minio.New(c.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(c.AccessKey.Reveal(), c.SecretKey.Reveal(), ""),
		Secure:    !c.PlainHTTP,
		Region:    c.Region,
		Transport: tr,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	ok, err := s.client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	if !ok {
		return nil, fmt.Errorf("%s: bucket %s does not exist", s, c.Bucket)
	}
	return s, nil
}

func isLoopback(endpoint string) bool {
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String is s3://endpoint/bucket/prefix (s3+http:// without TLS).
func (s *S3) String() string {
	scheme := "s3://"
	if s.cfg.PlainHTTP {
		scheme = "s3+http://"
	}
	return strings.TrimSuffix(scheme+s.cfg.Endpoint+"/"+s.cfg.Bucket+"/"+s.cfg.Prefix, "/")
}

func (s *S3) key(name string) string {
	if s.cfg.Prefix == "" {
		return name
	}
	return s.cfg.Prefix + "/" + name
}

// Create uploads through a pipe; the object appears only when Commit
// completes the upload.
func (s *S3) Create(ctx context.Context, name string) (Writer, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	w := &s3Writer{s: s, name: name, pw: pw, cancel: cancel, done: make(chan error, 1)}
	go func() {
		_, err := s.client.PutObject(ctx, s.cfg.Bucket, s.key(name), pr, -1,
			minio.PutObjectOptions{PartSize: S3PartSize, ContentType: "application/octet-stream"})
		pr.CloseWithError(err)
		w.done <- err
	}()
	return w, nil
}

type s3Writer struct {
	s      *S3
	name   string
	pw     *io.PipeWriter
	cancel context.CancelFunc
	done   chan error
}

func (w *s3Writer) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		err = fmt.Errorf("%s: upload %s: %w", w.s, w.name, err)
	}
	return n, err
}

func (w *s3Writer) Commit() error {
	w.pw.Close()
	err := <-w.done
	w.cancel()
	if err != nil {
		return fmt.Errorf("%s: upload %s: %w", w.s, w.name, err)
	}
	return nil
}

func (w *s3Writer) Abort() {
	w.pw.CloseWithError(errors.New("aborted"))
	w.cancel()
	<-w.done
}

// Open reads the object name.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.Bucket, s.key(name), minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, fmt.Errorf("%s: %s: %w", s, name, ErrNotExist)
		}
		return nil, fmt.Errorf("%s: open %s: %w", s, name, err)
	}
	return obj, nil
}

// List returns the ids: the "directories" right under the prefix.
func (s *S3) List(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx) // stops the listing on an early return
	defer cancel()
	prefix := s.key("")
	var ids []string
	for o := range s.client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if o.Err != nil {
			return nil, fmt.Errorf("%s: list: %w", s, o.Err)
		}
		if id, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, prefix), "/"); ok && CheckID(id) == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Remove deletes every object under id.
func (s *S3) Remove(ctx context.Context, id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx) // stops the listing on an early return
	defer cancel()
	objs := s.client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: s.key(id) + "/", Recursive: true})
	for o := range objs {
		if o.Err != nil {
			return fmt.Errorf("%s: remove %s: %w", s, id, o.Err)
		}
		if err := s.client.RemoveObject(ctx, s.cfg.Bucket, o.Key, minio.RemoveObjectOptions{}); err != nil {
			return fmt.Errorf("%s: remove %s: %w", s, o.Key, err)
		}
	}
	return nil
}

// Close does nothing: the client keeps no session.
func (s *S3) Close() error { return nil }
