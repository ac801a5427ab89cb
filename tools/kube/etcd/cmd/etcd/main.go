// Command etcd is the etcd server, built from the go.etcd.io/etcd/server/v3 module for the local
// control plane (tools/kube/build.sh); it is etcd's own main, nothing added.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
