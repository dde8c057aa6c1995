package webview_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/webview"
)

// A view fed by hand (as `banyan web` feeds it from a component), read
// through its JSON snapshot.
func Example() {
	v, _ := webview.New(webview.Options{Name: "lab"})
	defer v.Close()
	payload, _ := banyan.Marshal(map[string]any{"value": 42})
	for range 3 {
		v.Observe([]byte("sensor/temp"), payload)
	}

	srv := httptest.NewServer(v.Handler())
	defer srv.Close()
	resp, _ := http.Get(srv.URL + "/api/snapshot")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var snap struct {
		Topics []struct {
			Topic    string
			Messages int
			Last     struct{ Py string }
		}
	}
	json.Unmarshal(body, &snap)
	for _, t := range snap.Topics {
		fmt.Println(t.Topic, t.Messages, t.Last.Py)
	}
	// Output:
	// sensor/temp 3 {'value': 42}
}
