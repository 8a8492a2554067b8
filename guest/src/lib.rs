mod bindings {
    wit_bindgen::generate!({ path: "../wit", world: "wasock:socket/imports" });
}
